import Foundation
import JetStream
import LoadSource
import RiskSignalCore
import Synchronization

/// The live and final counts of one workload.
public struct WorkloadCounts: Sendable, Equatable {
    public var generated: UInt64 = 0
    public var published: UInt64 = 0
    public var acked: UInt64 = 0
    public var failed: UInt64 = 0
    public var duplicates: UInt64 = 0
    /// Events whose intended time fell in the measured window.
    public var measuredPublished: UInt64 = 0
    public var lastError: String?

    public init() {}
}

/// What one workload needs to run: a generator, a rate model, and the injections aimed at it.
public struct WorkloadPlan: Sendable {
    public var name: String
    public var generator: any EventGenerator
    public var rate: any RateModel
    /// Offsets from the run start (warm-up included) and what to inject then.
    public var injections: [(offset: Duration, injection: Injection)]
    /// For replays: what loading the capture found (printed before the run).
    public var replayReport: String?
    /// The feeds this workload publishes into (the generator's, unless set): which consumers and tables to watch.
    public var feeds: [FeedKind]

    public init(name: String, generator: any EventGenerator, rate: any RateModel, injections: [(offset: Duration, injection: Injection)] = [],
                replayReport: String? = nil) {
        self.name = name
        self.generator = generator
        self.rate = rate
        self.injections = injections
        self.replayReport = replayReport
        feeds = generator.feeds
    }
}

/// Publishes one workload open-loop: each event at its intended time, never waiting for the system
/// under test beyond the bounded in-flight window; lateness is recorded as schedule lag, never skipped.
public final class WorkloadDriver: Sendable {
    public let name: String
    let context: JetStreamContext
    /// Actual send − intended send, for events in the measured window.
    public let scheduleLag = LatencyRecorder()
    /// JetStream ack − intended send (corrected for coordinated omission).
    public let ackLatency = LatencyRecorder()
    /// JetStream ack − actual send (what a closed-loop tool would report).
    public let ackLatencyUncorrected = LatencyRecorder()
    private let counts = Locked(WorkloadCounts())
    /// Published events per second since the start (index = second).
    /// Published events, and events due by the schedule (the offered load), per second since the start.
    private let perSecond = Locked(PerSecondCounts())
    private let window: (start: Int64, end: Int64)
    private let plan: Locked<WorkloadPlan?>
    /// Closed-loop mode: awaited before each send with the count sent so far; returns when the sender may go on.
    private let sendGate: (@Sendable (UInt64) async throws -> Void)?

    /// `measured` is the measured window in wall-clock ns since the epoch (warm-up is excluded).
    public init(plan: WorkloadPlan, connection: NATSConnection, publishWindow: Int = 8192, measured: (start: Int64, end: Int64),
                sendGate: (@Sendable (UInt64) async throws -> Void)? = nil) throws(NATSError) {
        name = plan.name
        self.sendGate = sendGate
        self.plan = Locked(plan)
        window = measured
        let lagAck = ackLatency, lagUncorrected = ackLatencyUncorrected
        let counts = self.counts
        let w = measured
        var options = JetStreamOptions()
        options.publishWindow = publishWindow
        options.ackTimingHeader = MessageHeader.intendedSendNanos
        options.ackSecondaryTimingHeader = WorkloadDriver.sentHeader
        options.onAck = { result, intended, sent in
            let now = Timestamp.now().nanosSinceEpoch
            switch result {
            case .success(let ack):
                counts.withLock {
                    $0.acked += 1
                    if ack.duplicate { $0.duplicates += 1 }
                }
                if let intended {
                    if intended >= w.start && intended < w.end {
                        lagAck.record(nanoseconds: now - intended)
                        if let sent { lagUncorrected.record(nanoseconds: now - sent) }
                    }
                }
            case .failure(let e):
                counts.withLock {
                    $0.failed += 1
                    $0.lastError = e.description
                }
            }
        }
        context = try connection.jetStream(options)
    }

    static let sentHeader = MessageHeader.actualSendNanos

    public var snapshot: WorkloadCounts { counts.withLock { $0 } }
    public var publishedPerSecond: [Int] { perSecond.withLock { $0.published } }
    public var offeredPerSecond: [Int] { perSecond.withLock { $0.due } }

    /// Runs the schedule from `startWall` (ns since epoch, matching `startInstant`) until `end` after it, or until the
    /// rate model ends when `end` is nil.
    public func run(startWall: Int64, startInstant: ContinuousClock.Instant, end: Duration? = nil) async throws {
        guard var plan = plan.withLock({ $0.take() }) else { return }
        let clock = ContinuousClock()
        let endNs = end?.totalNanoseconds ?? .max
        var injections = plan.injections.sorted { $0.offset < $1.offset }
        let measured = window
        var next = plan.rate.nextArrival(after: -1)
        var chunk: [OutgoingMessage] = []
        var intendedOffsets: [Int64] = []
        chunk.reserveCapacity(512)
        while let first = next, first < endNs {
            if Task.isCancelled { break }
            let due = startInstant + .nanoseconds(first)
            if due > clock.now { try await Task.sleep(until: due, tolerance: .microseconds(200), clock: clock) }
            if let gate = sendGate { try await gate(counts.withLock { $0.published }) }
            // Everything due by now goes out in one call: events are never dropped, only late.
            let nowOffset = (clock.now - startInstant).totalNanoseconds
            chunk.removeAll(keepingCapacity: true)
            intendedOffsets.removeAll(keepingCapacity: true)
            while let t = next, t <= nowOffset, t < endNs, chunk.count < (sendGate == nil ? 2000 : 1) {
                while let inj = injections.first, inj.offset.totalNanoseconds <= t {
                    plan.generator.inject(inj.injection, at: startWall + inj.offset.totalNanoseconds)
                    injections.removeFirst()
                }
                let intended = startWall + t
                let e = plan.generator.next(at: intended)
                chunk.append(OutgoingMessage(subject: e.subject, payload: e.payload,
                                             headers: [(MessageHeader.intendedSendNanos, String(intended)), (MessageHeader.traceID, e.eventID)],
                                             messageID: e.eventID))
                intendedOffsets.append(t)
                next = plan.rate.nextArrival(after: t)
            }
            if chunk.isEmpty { continue }
            let sent = startWall + (clock.now - startInstant).totalNanoseconds
            for i in chunk.indices { chunk[i].headers.append((Self.sentHeader, String(sent))) }
            counts.withLock { $0.generated += UInt64(chunk.count) }
            try await context.publishAsync(chunk)
            let done = (clock.now - startInstant).totalNanoseconds
            var inWindow: UInt64 = 0
            // Offsets come in increasing order, so the due-per-second tally is a few runs, not one entry per event.
            var dueRuns: [(second: Int, count: Int)] = []
            for t in intendedOffsets {
                let intended = startWall + t
                if intended >= measured.start && intended < measured.end {
                    scheduleLag.record(nanoseconds: done - t)
                    inWindow += 1
                }
                let sec = Int(t / 1_000_000_000)
                if dueRuns.last?.second == sec { dueRuns[dueRuns.count - 1].count += 1 } else { dueRuns.append((sec, 1)) }
            }
            let second = Int(done / 1_000_000_000), chunkCount = chunk.count
            perSecond.withLock { s in
                s.add(chunkCount, at: second, to: \.published)
                for r in dueRuns { s.add(r.count, at: r.second, to: \.due) }
            }
            counts.withLock {
                $0.published += UInt64(chunk.count)
                $0.measuredPublished += inWindow
            }
        }
    }

    /// Waits for every outstanding ack (or the timeout).
    public func waitForAcks(timeout: Duration) async throws {
        try await context.waitForAcks(timeout: timeout)
    }
}

/// Counts indexed by whole seconds since a workload's start.
struct PerSecondCounts: Sendable {
    var published: [Int] = []
    var due: [Int] = []

    mutating func add(_ n: Int, at second: Int, to column: WritableKeyPath<PerSecondCounts, [Int]>) {
        while self[keyPath: column].count <= second { self[keyPath: column].append(0) }
        self[keyPath: column][second] += n
    }
}

/// A value behind a lock, shareable between the publishing task and libnats' ack thread.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    public init(_ value: Value) { mutex = Mutex(value) }
    public func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}
