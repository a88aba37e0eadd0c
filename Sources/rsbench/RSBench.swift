import ArgumentParser
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The rsbench command line: load testing, replay and measurement of the RiskSignal pipeline.
@main
struct RSBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rsbench",
        abstract: "Load-test and replay harness for the RiskSignal pipeline (NATS JetStream → ClickHouse).",
        discussion: """
            Run a scenario against the real pipeline (it starts the local stack, nats-server with JetStream \
            and a chDB-backed ClickHouse endpoint, all on 127.0.0.1, when no URLs are given), replay captured \
            feeds, and turn reports into comparisons and capacity plans:

              rsbench run scenarios/peak.yaml
              rsbench replay fixtures/coinbase/coinbase-l2update-20210417.cryptofeed.txt.zst --speed 10
              rsbench search scenarios/baseline.yaml
              rsbench plan reports/latest --target-rate 50000 --retention 30d
              rsbench bench limits
            """,
        subcommands: [RunCommand.self, ValidateCommand.self, ReplayCommand.self, RecordCommand.self, CompareCommand.self, PlanCommand.self, SearchCommand.self, SynthCommand.self, StackCommand.self, BenchCommand.self, ReportCommand.self]
    )

    /// Line-buffered stdout, so progress lines reach a CI log or a redirected file as they happen.
    static func main() async {
        setvbuf(stdout, nil, _IOLBF, 0)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
