import Foundation
import JetStream
import LoadDriver
import Measurement
import Reporting
import LoadSource
import Pipeline
import RiskSignalCore

/// Generation cost per event of each generator (no I/O), median of several runs.
public struct GeneratorBenchmark: Sendable {
    public var events: Int
    public var repeats: Int
    /// Builds a generator by kind (the scenario layer's factory, so parameters are the scenario defaults).
    public var make: @Sendable (FeedKind, UInt64) throws -> any EventGenerator

    public init(events: Int = 1_000_000, repeats: Int = 5, make: @escaping @Sendable (FeedKind, UInt64) throws -> any EventGenerator) {
        self.events = events
        self.repeats = repeats
        self.make = make
    }

    /// Nanoseconds per event for each generator (median of `repeats`), and the mean payload size.
    public func run(kinds: [FeedKind], progress: (String) -> Void) throws -> [(kind: FeedKind, nanosPerEvent: [Double], payloadBytes: Double)] {
        var out: [(FeedKind, [Double], Double)] = []
        for kind in kinds {
            var runs: [Double] = []
            var bytes = 0.0
            for r in 0..<repeats {
                var g = try make(kind, UInt64(r + 1))
                let n = [.l2, .trades, .signals].contains(kind) ? events : events / 5
                var total = 0
                let clock = ContinuousClock()
                let start = clock.now
                var t: Int64 = 1_795_000_000_000_000_000
                for _ in 0..<n {
                    t += 100_000
                    total &+= g.next(at: t).payload.count
                }
                let ns = (clock.now - start).seconds * 1e9 / Double(n)
                runs.append(ns)
                bytes = Double(total) / Double(n)
                progress(String(format: "%@ run %d: %.0f ns/event, %.0f B", kind.rawValue, r + 1, ns, bytes))
            }
            out.append((kind, runs, bytes))
        }
        return out
    }
}

/// Open-loop pacing at a fixed offered rate through the real scheduler and publisher, next to the
/// raw async-publish limit measured in the same run.
public struct PacingBenchmark: Sendable {
    public var connection: ConnectionConfig
    public var rate: Double
    public var duration: Duration
    public var repeats: Int

    public init(connection: ConnectionConfig, rate: Double = 20_000, duration: Duration = .seconds(10), repeats: Int = 3) {
        self.connection = connection
        self.rate = rate
        self.duration = duration
        self.repeats = repeats
    }

    public struct Run: Sendable {
        public var offered: Double
        public var achieved: Double
        public var scheduleLag: LatencySummary
        public var ackLatency: LatencySummary
        public var rawPublishLimit: Double
        public var topSpeed: Double
    }

    public func run(make: @Sendable (UInt64) throws -> any EventGenerator, rateModel: @Sendable (Double, Int64) throws -> any RateModel,
                    progress: @Sendable (String) -> Void) async throws -> [Run] {
        let nats = try await NATSConnection.connect(NATSConnectionOptions(connection, name: "rsbench-pacing"))
        defer { nats.close() }
        let admin = try nats.jetStream()
        var runs: [Run] = []
        for i in 1...repeats {
            // The generator publishes on signals.transaction (the SIGNALS stream); raw publishes go to their own stream.
            try await admin.ensureStream(StreamCatalog.signals)
            try? await admin.deleteStream("BENCH_PACING")
            try await admin.ensureStream(StreamSpec(name: "BENCH_PACING", subjects: ["bench.raw"], maxAge: .seconds(600)))
            // 1. The open-loop scheduler at the offered rate.
            let pacing = try await pace(nats: nats, generator: try make(UInt64(i)), rate: try rateModel(rate, duration.totalNanoseconds), duration: duration)
            // 2. The scheduler flat out (publish as fast as the window allows), and 3. raw publishes, same payloads.
            // Flat out: at the highest rate a scenario may ask for, 200k arrivals fit in 2 ms of schedule, so every
            // arrival is due before the first publish returns.
            let flatOut = 200_000
            let flatRate = PacingLimits.rates.upperBound
            let span = Int64((Double(flatOut) / flatRate * 1e9).rounded(.up))
            let top = try await pace(nats: nats, generator: try make(UInt64(i + 100)), rate: try rateModel(flatRate, span), duration: .nanoseconds(span), flatOut: true)
            let raw = try await LimitsBenchmark(connection: connection, messages: 200_000, payloadBytes: 200).measurePublish(try nats.jetStream(), subject: "bench.raw")
            let r = Run(offered: rate, achieved: pacing.achieved, scheduleLag: pacing.lag, ackLatency: pacing.ack, rawPublishLimit: raw, topSpeed: top.achieved)
            runs.append(r)
            progress(String(format: "run %d: offered %.0f/s achieved %.1f/s (%.2f%%), schedule lag p99 %.2f ms; scheduler flat out %.0f/s vs raw publish %.0f/s (%.0f%%)",
                            i, r.offered, r.achieved, 100 * r.achieved / r.offered, r.scheduleLag.p99, r.topSpeed, r.rawPublishLimit, 100 * r.topSpeed / r.rawPublishLimit))
        }
        try? await admin.deleteStream("BENCH_PACING")
        // Leave no benchmark traffic behind in SIGNALS.
        try? await admin.deleteStream(StreamCatalog.signals.name)
        try await admin.ensureStream(StreamCatalog.signals)
        return runs
    }

    /// Paces `rate` for `duration`; `flatOut` reports published/elapsed instead of per scheduled second.
    func pace(nats: NATSConnection, generator: any EventGenerator, rate: any RateModel, duration: Duration, flatOut: Bool = false) async throws -> (achieved: Double, lag: LatencySummary, ack: LatencySummary) {
        let startWall = Timestamp.now().nanosSinceEpoch + 50_000_000
        let startInstant = ContinuousClock.now + .milliseconds(50)
        let end = duration
        let driver = try WorkloadDriver(plan: WorkloadPlan(name: "pacing", generator: generator, rate: rate), connection: nats,
                                        measured: (startWall, startWall + end.totalNanoseconds + 3_600_000_000_000))
        let clock = ContinuousClock()
        try await driver.run(startWall: startWall, startInstant: startInstant, end: end)
        try await driver.waitForAcks(timeout: .seconds(60))
        let elapsed = (clock.now - startInstant).seconds
        let c = driver.snapshot
        guard c.acked == c.published, c.failed == 0 else { throw BenchError.lost("published \(c.published), acked \(c.acked), failed \(c.failed)") }
        let achieved = flatOut ? Double(c.published) / elapsed : Double(c.published) / duration.seconds
        return (achieved, LatencySummary(histogram: driver.scheduleLag.snapshot), LatencySummary(histogram: driver.ackLatency.snapshot))
    }
}
