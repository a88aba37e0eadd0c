import ArgumentParser
import Bench
import LoadSource
import ScenarioRun
import Scenario
import Foundation
import LocalStack
import Reporting
import RiskSignalCore

/// `rsbench bench …`: benchmarks of this machine and of the pipeline's parts (release build).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (build with -c release): physical limits of this machine's stack.",
        subcommands: [Limits.self, PipelineThroughput.self, Synth.self, Pacing.self, Alerts.self, Wire.self]
    )

    struct Limits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Raw JetStream publish/consume msgs/s and direct ClickHouse insert rows/s.",
            discussion: """
                The ceilings every other figure is compared against. Starts the local stack if no URL \
                is given, runs each measurement --repeats times and prints the median, min and max. \
                Every publish must be acked and every row counted back, or the run fails.

                Example:
                  swift build -c release && .build/release/rsbench bench limits --repeats 5
                  rsbench bench limits --messages 50000 --json reports/limits.json
                """
        )

        @Option(help: "Messages per publish/consume run.") var messages = 200_000
        @Option(help: "Payload size in bytes.") var payloadBytes = 200
        @Option(help: "Rows per insert batch.") var batchRows = 10_000
        @Option(help: "Insert batches per run.") var batches = 20
        @Option(help: "Runs of each measurement (the median is reported).") var repeats = 3
        @Option(help: "Write the results as JSON to this file.") var json: String?
        @OptionGroup var target: TargetOptions

        func validate() throws {
            for (name, v) in [("--messages", messages), ("--payload-bytes", payloadBytes), ("--batch-rows", batchRows), ("--batches", batches), ("--repeats", repeats)] where v <= 0 {
                throw ValidationError("\(name) \(v): expected a positive number")
            }
            try requireWritable(json.output("--json"))
        }

        func run() async throws {
            let resolved = try target.resolve()
            defer { resolved.stopStartedStack(keep: target.keepStack, log: { print("[bench] \($0) (--keep-stack keeps it)") }) }
            let connection = resolved.connection
            #if DEBUG
            print("warning: this is a debug build; figures are only meaningful from `swift build -c release`")
            #endif
            let bench = LimitsBenchmark(connection: connection, messages: messages, payloadBytes: payloadBytes,
                                        batchRows: batchRows, batches: batches, repeats: repeats)
            let results = try await bench.run { print("  \($0)") }
            print(ResultTable.render(results))
            if let json {
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                try enc.encode(results).write(to: URL(fileURLWithPath: json))
                print("wrote \(json)")
            }
        }
    }
}

extension BenchCommand {
    struct PipelineThroughput: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pipeline",
            abstract: "Each consumer's sustained rows/s into ClickHouse, next to the direct-insert limit of the same run.",
            discussion: """
                For each consumer: fill its stream with --messages events from the scenario generators (default \
                parameters, paced flat out by the load driver), then time the real consumer (validation, batching, insert, ack) draining it. Between consumer \
                runs the direct batch-insert limit is measured again, so the ratio compares like with like.

                Example:
                  .build/release/rsbench bench pipeline --consumers signals,trades --messages 200000
                """
        )

        @Option(help: "Messages per consumer run.") var messages = 100_000
        @Option(help: "Comma-separated consumers.") var consumers = "signals,trades,actions,frontend,market,social"
        @Option(help: "Insert batch size.") var batchSize = 10_000
        @Option(help: "Runs per consumer (the median is reported).") var repeats = 3
        @Option(help: "Write the results as JSON to this file.") var json: String?
        @OptionGroup var target: TargetOptions

        func validate() throws {
            try requireWritable(json.output("--json"))
        }

        func run() async throws {
            let resolved = try target.resolve()
            defer { resolved.stopStartedStack(keep: target.keepStack, log: { print("[bench] \($0) (--keep-stack keeps it)") }) }
            let connection = resolved.connection
            #if DEBUG
            print("warning: this is a debug build; figures are only meaningful from `swift build -c release`")
            #endif
            let names = consumers.split(separator: ",").map(String.init)
            let bench = PipelineBenchmark(connection: connection, messages: messages, consumers: names, batchSize: batchSize, repeats: repeats)
            let results = try await bench.run { print("  \($0)") }
            print(ResultTable.render(results))
            let limit = results[0].median
            for r in results.dropFirst() {
                print(String(format: "%@: %.0f%% of the direct-insert limit", r.name, 100 * r.median / limit))
            }
            if let json {
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                try enc.encode(results).write(to: URL(fileURLWithPath: json))
            }
        }
    }
}

extension BenchCommand {
    struct Synth: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generation cost per event of each generator (no I/O).",
            discussion: """
                Example:
                  .build/release/rsbench bench synth --events 1000000
                """
        )
        @Option(help: "Events per run (l2, trades, signals; the others get a fifth).") var events = 1_000_000
        @Option(help: "Runs per generator (the median is reported).") var repeats = 5
        @Option(help: "Comma-separated generators.") var generators = "l2,trades,orders,social,frontend,signals"

        func run() throws {
            #if DEBUG
            print("warning: this is a debug build; figures are only meaningful from `swift build -c release`")
            #endif
            let bench = GeneratorBenchmark(events: events, repeats: repeats) { kind, seed in try WorkloadFactory.makeGenerator(kind, params: [:], seed: seed) }
            let kinds = try generators.split(separator: ",").map { name in
                guard let kind = FeedKind(rawValue: String(name)) else {
                    throw GeneratorParameterError(parameter: "generator", message: "unknown generator \(name)")
                }
                return kind
            }
            let results = try bench.run(kinds: kinds) { print("  \($0)") }
            print("generator   median ns/event   min     max    payload bytes")
            for r in results {
                let s = r.nanosPerEvent.sorted()
                print(String(format: "%@ %14.0f %7.0f %7.0f %10.0f", r.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0), s[s.count / 2], s.first!, s.last!, r.payloadBytes))
            }
        }
    }

    struct Pacing: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open-loop pacing at an offered rate: achieved/offered, schedule lag, and the scheduler's top speed vs raw publishes.",
            discussion: """
                Publishes seed 000's signals through the real scheduler at --rate for --seconds, then \
                flat out, then raw async publishes of the same size, in the same run.

                Example:
                  .build/release/rsbench bench pacing --rate 20000 --seconds 10
                """
        )
        @Option(help: "Offered events per second.") var rate = 20_000.0
        @Option(help: "Seconds per paced run.") var seconds = 10
        @Option(help: "Runs (medians are reported).") var repeats = 3
        @OptionGroup var target: TargetOptions

        func run() async throws {
            #if DEBUG
            print("warning: this is a debug build; figures are only meaningful from `swift build -c release`")
            #endif
            guard rate.isFinite, PacingLimits.rates.contains(rate) else { throw ValidationError("--rate \(rate): expected events per second in \(PacingLimits.ratesText)") }
            guard (1...86_400).contains(seconds) else { throw ValidationError("--seconds \(seconds): expected 1...86400") }
            guard (1...1000).contains(repeats) else { throw ValidationError("--repeats \(repeats): expected 1...1000") }
            let resolved = try target.resolve()
            defer { resolved.stopStartedStack(keep: target.keepStack, log: { print("[bench] \($0) (--keep-stack keeps it)") }) }
            let connection = resolved.connection
            let bench = PacingBenchmark(connection: connection, rate: rate, duration: .seconds(seconds), repeats: repeats)
            let runs = try await bench.run(make: { seed in try WorkloadFactory.makeGenerator(.signals, params: [:], seed: seed) },
                                           rateModel: { r, end in try ConstantRate(rate: r, end: end) },
                                           progress: { print("  \($0)") })
            func median(_ v: [Double]) -> Double { let s = v.sorted(); return s[s.count / 2] }
            let ratio = median(runs.map { $0.achieved / $0.offered })
            let lag = median(runs.map { $0.scheduleLag.p99 })
            let top = median(runs.map { $0.topSpeed / $0.rawPublishLimit })
            print(String(format: "achieved/offered %.2f%% (goal ≥ 99%%) · schedule lag p99 %.2f ms (goal < 2 ms) · scheduler flat out / raw publish %.0f%% (goal ≥ 90%%)", ratio * 100, lag, top * 100))
        }
    }
}

extension BenchCommand {
    struct Wire: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse rate of L2 messages and of each exchange adapter's messages, with JSONDecoder beside them (no I/O).",
            discussion: """
                L2: payloads of the default L2 generator (decode, JSONDecoder into a Codable struct, and the \
                L2 writer). Exchanges: the samples in fixtures/exchanges and the Coinbase recording, through \
                each adapter, and JSONDecoder reading the same messages into a generic value. Each path runs \
                --messages messages (its corpus cycled) --repeats times; the median is reported.

                Example:
                  .build/release/rsbench bench wire --messages 200000 --repeats 5
                """
        )
        @Option(help: "Messages per run of each path.") var messages = 200_000
        @Option(help: "Runs per path (the median is reported).") var repeats = 5

        func validate() throws {
            if messages <= 0 { throw ValidationError("--messages \(messages): expected a positive number") }
            if repeats < 1 { throw ValidationError("--repeats \(repeats): expected a positive number") }
        }

        func run() throws {
            #if DEBUG
            print("warning: this is a debug build; figures are only meaningful from `swift build -c release`")
            #endif
            guard let root = StackConfig.findProjectRoot() else { throw ValidationError("run from the project checkout (fixtures/ is read)") }
            let bench = WireBenchmark(messages: messages, repeats: repeats, fixtures: URL(fileURLWithPath: root).appendingPathComponent("fixtures"))
            let results = try bench.run { print("  \($0)") }
            print("path                     median msg/s   median MB/s   min msg/s   max msg/s  corpus  rejected/pass")
            for r in results {
                print(String(format: "%@ %14.0f %13.1f %11.0f %11.0f %7d %8d", r.name.padding(toLength: 24, withPad: " ", startingAt: 0),
                             r.medianMessages, r.medianMegabytes, r.messagesPerSecond.min() ?? 0, r.messagesPerSecond.max() ?? 0, r.corpus, r.rejected))
            }
        }
    }
}

extension BenchCommand {
    struct Alerts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Alert latency under ~10k events/s: triggering event's intended send time → webhook receipt.",
            discussion: """
                Runs scenarios/alerts-bench.yaml (background traffic on every stream with liquidity drops \
                and order-velocity spikes injected) against the real pipeline, and reports alert latency \
                p50, p99 and max as measured by rsbench's own webhook receiver.

                Example:
                  .build/release/rsbench bench alerts --rate-scale 0.5
                """
        )
        @Option(help: "Multiply the background rate.") var rateScale: Double?

        func run() async throws {
            guard let root = StackConfig.findProjectRoot() else { throw ValidationError("run from the project checkout") }
            let scenario = try ScenarioParser.load(path: root + "/scenarios/alerts-bench.yaml")
            var o = RunOverrides()
            o.rateScale = rateScale
            let report = await ScenarioRunner(scenario: scenario, overrides: o, projectRoot: root, output: { print($0) }).run()
            print(ConsoleSummary.render(report))
            if report.verdict.status != .pass { throw ExitCode(report.verdict.status.exitCode) }
        }
    }
}

/// Which stack to measure: given URLs, or the local stack (started when needed).
struct TargetOptions: ParsableArguments {
    @Option(name: .customLong("nats-url"), help: "NATS URL (env NATS_URL); without it the local stack is used.")
    var natsURL: String?
    @Option(name: .customLong("clickhouse-url"), help: "ClickHouse URL (env CLICKHOUSE_URL); without it the local endpoint is used.")
    var clickHouseURL: String?

    @Flag(help: "Leave the local stack running if this benchmark started it.")
    var keepStack = false

    /// The servers to measure; the local stack is started when no URL is given (flags or `NATS_URL`/`CLICKHOUSE_URL`),
    /// and the caller stops it again unless `--keep-stack`.
    func resolve() throws -> RunTarget {
        try RunTarget.resolve(natsURL: natsURL, clickHouseURL: clickHouseURL, environment: ProcessInfo.processInfo.environment,
                              projectRoot: StackConfig.findProjectRoot(), log: { print("[stack] \($0)") })
    }
}
