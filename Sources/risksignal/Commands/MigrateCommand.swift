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

            `--replicas N` keeps N copies of every stream on different servers of a NATS cluster (1-5, at most \
            the cluster's nodes); without it each stream has the catalogue's count (1). Running it again with \
            another N rescales existing streams.

            Examples:
              risksignal migrate --clickhouse-url http://127.0.0.1:8123 --nats-url nats://127.0.0.1:4222
              risksignal migrate --replicas 3 --nats-url nats://127.0.0.1:4222,nats://127.0.0.1:4223,nats://127.0.0.1:4224
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "Only the ClickHouse schema; leave JetStream alone.")
    var skipStreams = false
    @Option(help: "Copies of each stream on a NATS cluster (1-5, at most its nodes; default: the stream catalogue's, 1).")
    var replicas: Int?

    func validate() throws {
        if let replicas {
            do { try StreamReplicasError.validate(replicas, source: "--replicas") } catch { throw ValidationError(error.description) }
        }
    }

    func run() async throws {
        Bootstrap.logging
        let config = try connection.resolve()
        let log = connection.logger("risksignal.migrate")
        if !skipStreams {
            let nats = try await NATSConnection.connect(.init(config, name: "risksignal-migrate"))
            let js = try nats.jetStream()
            for catalogued in StreamCatalog.all {
                let spec = replicas.map(catalogued.withReplicas) ?? catalogued
                let state: StreamState
                do { state = try await js.ensureStream(spec) } catch {
                    nats.close()
                    guard StreamReplicasError.serverCodes.contains(error.jetStreamCode) else { throw error }
                    throw StreamReplicasError.exceedsServers(source: replicas == nil ? "stream catalogue replicas" : "--replicas",
                                                             value: spec.replicas, stream: spec.name, detail: error.description)
                }
                print("stream \(spec.name) (\(spec.subjects.joined(separator: ", "))): \(state.messages) messages, \(spec.replicas) replica\(spec.replicas == 1 ? "" : "s")")
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
