import Foundation
import JetStream
import LoadDriver
import Measurement
import Pipeline
import Replay
import Reporting
import RiskSignalCore

/// `rsbench replay`: loads a capture, then publishes it into the pipeline's streams on its own timing,
/// measuring how closely each send kept to its intended instant.
public struct ReplayRunner: Sendable {
    public var path: String
    public var options: ReplayOptions
    /// nil: the local stack (started for the replay, and stopped after it unless `keepStack`).
    public var natsURL: String?
    public var keepStack = false
    /// Load and count only; publish nothing.
    public var parseOnly = false
    /// Delete and recreate the pipeline's streams first (their messages and durables go): for repeatable benchmarks,
    /// since a second replay of one capture inside the 2-minute duplicate window is otherwise deduplicated.
    public var resetStreams = false
    public var projectRoot: String
    public var output: @Sendable (String) -> Void

    public init(path: String, options: ReplayOptions, projectRoot: String, output: @escaping @Sendable (String) -> Void) {
        self.path = path
        self.options = options
        self.projectRoot = projectRoot
        self.output = output
    }

    /// What a replay did: the load report, publish counts and the timing fidelity.
    public struct Outcome: Sendable {
        public var load: ReplayLoadReport
        public var loadSeconds: Double
        /// Published, acked, failed and duplicate counts, as the load driver keeps them.
        public var counts = WorkloadCounts()
        public var seconds: Double = 0
        /// Actual − intended send offset of every message in ms (never negative: nothing is sent early).
        public var fidelity: LatencySummary?
        public var publishedByKind: [String: Int] = [:]

        public var summary: String {
            var lines = [load.description,
                         String(format: "loaded in %.3f s (%.0f messages/s parsed)", loadSeconds, Double(load.read) / max(loadSeconds, 1e-9))]
            if let f = fidelity {
                lines.append(String(format: "published %d (acked %d, failed %d, duplicates %d) in %.2f s, %.0f msgs/s",
                                    counts.published, counts.acked, counts.failed, counts.duplicates, seconds, Double(counts.published) / max(seconds, 1e-9)))
                lines.append("published by kind: " + publishedByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
                lines.append(String(format: "timing fidelity |actual − intended send|: p50 %.3f · p90 %.3f · p99 %.3f · p99.9 %.3f · max %.3f ms (n=%d)",
                                    f.p50, f.p90, f.p99, f.p999, f.max, f.count))
            }
            return lines.joined(separator: "\n")
        }
    }

    public func run() async throws -> Outcome {
        let t0 = ContinuousClock.now
        let (items, report) = try CaptureLoader(options: options).load(path: path)
        let schedule = try ReplaySchedule(items: items, options: options)
        var outcome = Outcome(load: report, loadSeconds: (ContinuousClock.now - t0).seconds)
        output(outcome.summary)
        if parseOnly || schedule.count == 0 { return outcome }

        let target = try RunTarget.resolve(natsURL: natsURL, environment: ProcessInfo.processInfo.environment, projectRoot: projectRoot,
                                           needs: .natsOnly, log: { output("[stack] \($0)") })
        defer { target.stopStartedStack(keep: keepStack, log: { output("[replay] \($0) (use --keep-stack to keep it and its data)") }) }
        let nats = try await NATSConnection.connect(NATSConnectionOptions(target.connection, name: "rsbench-replay"))
        defer { nats.close() }
        let admin = try nats.jetStream()
        for s in StreamCatalog.all {
            if resetStreams { try? await admin.deleteStream(s.name) }
            try await admin.ensureStream(s)
        }

        let source = ReplayWorkload(schedule: schedule)
        let plan = WorkloadPlan(name: "replay", generator: source, rate: source)
        let clock = ContinuousClock()
        let startInstant = clock.now + .milliseconds(100)
        let startWall = Timestamp.now().nanosSinceEpoch + 100_000_000
        let end = Duration.nanoseconds(schedule.endNanos)
        let driver = try WorkloadDriver(plan: plan, connection: nats, measured: (startWall, Int64.max))
        output(String(format: "[replay] %d messages over %.1f s (speed %@, %d loop(s))", schedule.count, Double(schedule.endNanos) / 1e9,
                      options.topSpeed ? "top" : String(options.speed), options.loops))
        let publishing = Task { try await driver.run(startWall: startWall, startInstant: startInstant, end: end) }
        let total = schedule.count
        let say = output
        let progress = Task {
            var second = 0, last: UInt64 = 0
            while !Task.isCancelled {
                try await Task.sleep(until: startInstant + .seconds(second + 1), clock: clock)
                second += 1
                let c = driver.snapshot
                let lag = LatencySummary(histogram: driver.scheduleLag.snapshot)
                say(String(format: "[%3ds] published %d (+%d/s) of %d · acked %d · send lag p99 %.3f ms", second, c.published, c.published - last,
                           total, c.acked, lag.p99))
                last = c.published
            }
        }
        defer { progress.cancel() }
        try await publishing.value
        try await driver.waitForAcks(timeout: .seconds(30))
        outcome.seconds = (clock.now - startInstant).seconds
        progress.cancel()
        let c = driver.snapshot
        outcome.counts = c
        outcome.fidelity = LatencySummary(histogram: driver.scheduleLag.snapshot)
        for i in 0..<Int(c.published) { outcome.publishedByKind[schedule.items[i % schedule.items.count].kind, default: 0] += 1 }
        return outcome
    }
}
