import ArgumentParser
import Foundation
import Logging
import RiskSignalCore

/// The RiskSignal pipeline: migrations, producers and the consumers that move streams into ClickHouse.
@main
struct RiskSignalCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risksignal",
        abstract: "The RiskSignal ingestion pipeline: NATS JetStream → validation and batching → ClickHouse.",
        discussion: """
            Configuration comes from flags or the environment: NATS_URL, CLICKHOUSE_URL, CLICKHOUSE_USER, \
            CLICKHOUSE_PASSWORD, CLICKHOUSE_DATABASE (see .env.example). With the local stack running \
            (`rsbench stack up`):

              risksignal migrate
              risksignal produce test --rate 100 --count 1000
              risksignal consume signals --exit-when-idle 3
            """,
        subcommands: [MigrateCommand.self, RunCommand.self, ConsumeCommand.self, ProduceCommand.self, QueryCommand.self]
    )
}

/// Connection flags shared by every command; each falls back to its environment variable.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("nats-url"), help: "NATS server URL(s), comma-separated (env NATS_URL; default nats://127.0.0.1:4222).")
    var natsURL: String?
    @Option(name: .customLong("clickhouse-url"), help: "ClickHouse HTTP interface (env CLICKHOUSE_URL; default http://127.0.0.1:8123).")
    var clickHouseURL: String?
    @Option(name: .customLong("database"), help: "ClickHouse database (env CLICKHOUSE_DATABASE; default risksignal).")
    var database: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func resolve() throws -> ConnectionConfig {
        var c = try ConnectionConfig.fromEnvironment(ProcessInfo.processInfo.environment)
        if let natsURL { c.natsURLs = try ConnectionConfig.parseNATSURLs(natsURL, source: "--nats-url") }
        if let clickHouseURL { try c.setClickHouseURL(clickHouseURL, source: "--clickhouse-url") }
        if let database {
            guard ConnectionConfig.isIdentifier(database) else { throw ValidationError("--database \(database): expected letters, digits and underscores") }
            c.clickHouseDatabase = database
        }
        return c
    }

    func logger(_ label: String) -> Logger {
        var l = Logger(label: label)
        l.logLevel = logLevel
        return l
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

enum Bootstrap {
    /// One stderr log handler for the process; called once at start-up.
    static let logging: Void = LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
}
