import ArgumentParser
import ClickHouse
import JetStream
import Pipeline

/// `risksignal migrate`: JetStream streams and ClickHouse tables, idempotently.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or update the JetStream streams and apply pending ClickHouse migrations.",
        discussion: """
            Safe to run any number of times: streams are created or updated to match, and each \
            ClickHouse migration is applied once and recorded in <database>.schema_migrations.

            Example:
              risksignal migrate --clickhouse-url http://127.0.0.1:8123 --nats-url nats://127.0.0.1:4222
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "Only the ClickHouse schema; leave JetStream alone.")
    var skipStreams = false

    func run() async throws {
        Bootstrap.logging
        let config = try connection.resolve()
        let log = connection.logger("risksignal.migrate")
        if !skipStreams {
            let nats = try await NATSConnection.connect(.init(config, name: "risksignal-migrate"))
            let js = try nats.jetStream()
            for spec in StreamCatalog.all {
                let state = try await js.ensureStream(spec)
                print("stream \(spec.name) (\(spec.subjects.joined(separator: ", "))): \(state.messages) messages")
            }
            nats.close()
        }
        let ch = ClickHouseClient(.init(config))
        do {
            let applied = try await Migrator(client: ch, database: config.clickHouseDatabase).migrate(logger: log)
            let version = try await Migrator(client: ch, database: config.clickHouseDatabase).currentVersion()
            print(applied.isEmpty ? "ClickHouse schema \(config.clickHouseDatabase) is current (version \(version))"
                  : "applied \(applied.count) migration(s) to \(config.clickHouseDatabase); now at version \(version)")
        } catch {
            await ch.shutdown()
            throw error
        }
        await ch.shutdown()
    }
}
