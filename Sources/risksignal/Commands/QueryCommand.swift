import ArgumentParser
import ClickHouse

/// `risksignal query "SQL"`: run one query against the configured ClickHouse (verification, troubleshooting).
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run one SQL statement on ClickHouse and print the result.",
        discussion: """
            Unqualified table names resolve in the pipeline's database (default risksignal).

            Examples:
              risksignal query "SELECT count() FROM raw_signals"
              risksignal query "SELECT * FROM raw_signals ORDER BY event_time DESC LIMIT 5" --format Vertical
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The SQL statement.") var sql: String
    @Option(help: "ClickHouse output format.") var format = "PrettyCompactMonoBlock"

    func run() async throws {
        let config = try connection.resolve()
        let ch = ClickHouseClient(.init(config))
        do {
            let r = try await ch.query(sql, format: format)
            print(r.text, terminator: r.text.hasSuffix("\n") ? "" : "\n")
        } catch {
            await ch.shutdown()
            throw error
        }
        await ch.shutdown()
    }
}
