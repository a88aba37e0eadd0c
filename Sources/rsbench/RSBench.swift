import ArgumentParser

/// The rsbench command line: load testing, replay and measurement of the RiskSignal pipeline.
@main
struct RSBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rsbench",
        abstract: "Load-test and replay harness for the RiskSignal pipeline (NATS JetStream → ClickHouse).",
        discussion: """
            Start the local stack (nats-server with JetStream and a chDB-backed ClickHouse endpoint, \
            all on 127.0.0.1), then measure what this machine can do:

              rsbench stack up
              rsbench bench limits
              rsbench stack down
            """,
        subcommands: [RunCommand.self, ValidateCommand.self, ReplayCommand.self, RecordCommand.self, CompareCommand.self, PlanCommand.self, SearchCommand.self, SynthCommand.self, StackCommand.self, BenchCommand.self]
    )
}
