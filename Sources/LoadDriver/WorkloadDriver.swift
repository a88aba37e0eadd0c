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
    /// Re-sends of publishes whose ack never came (same `Nats-Msg-Id`; `PublishRetryPolicy`), e.g. during a failover.
    public var retries: UInt64 = 0
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

    /// True when each send waits for a gate (closed loop), so it cannot share the open-loop pacer.
    public var isClosedLoop: Bool { sendGate != nil }

    public var snapshot: WorkloadCounts {
        var c = counts.withLock { $0 }
        c.retries = context.ackCounts.retries
        return c
    }
    public var publishedPerSecond: [Int] { perSecond.withLock { $0.published } }
    public var offeredPerSecond: [Int] { perSecond.withLock { $0.due } }

    /// Hands the plan to the one runner that paces it (a workload runs once).
    func takePlan() -> WorkloadPlan? { plan.withLock { $0.take() } }

    /// Runs the schedule from `startWall` (ns since epoch, matching `startInstant`) until `end` after it, or until the
    /// rate model ends when `end` is nil. Open loop, this is `LoadPacer` with one workload; closed loop (a send gate),
    /// each event waits for the gate first.
    public func run(startWall: Int64, startInstant: ContinuousClock.Instant, end: Duration? = nil) async throws {
        guard let gate = sendGate else {
            try await LoadPacer().run([self], startWall: startWall, startInstant: startInstant, end: end)
            return
        }
        guard let plan = takePlan() else { return }
        let clock = ContinuousClock()
        var schedule = MergedSchedule(plans: [plan], startWall: startWall, endOffset: end?.totalNanoseconds ?? .max)
        var offsets: [Int64] = []
        var chunk: [OutgoingMessage] = []
        while let first = schedule.earliest {
            if Task.isCancelled { break }
            let due = startInstant + .nanoseconds(first)
            if due > clock.now { try await Task.sleep(until: due, tolerance: .microseconds(200), clock: clock) }
            try await gate(counts.withLock { $0.published })
            let nowOffset = (clock.now - startInstant).totalNanoseconds
            chunk.removeAll(keepingCapacity: true)
            offsets.removeAll(keepingCapacity: true)
            schedule.takeDue(0, by: nowOffset, limit: 1) { e, t in
                chunk.append(OutgoingMessage(subject: e.subject, payload: e.payload,
                                             headers: [(MessageHeader.intendedSendNanos, String(startWall + t)), (MessageHeader.traceID, e.eventID)],
                                             messageID: e.eventID))
                offsets.append(t)
            }
            if chunk.isEmpty { continue }
            let sent = String(startWall + (clock.now - startInstant).totalNanoseconds)
            for i in chunk.indices { chunk[i].headers.append((Self.sentHeader, sent)) }
            willPublish(chunk.count)
            try await context.publishAsync(chunk)
            didPublish(offsets: offsets, startWall: startWall, done: (clock.now - startInstant).totalNanoseconds)
        }
    }

    /// Counts a batch as generated, just before it is handed to NATS.
    func willPublish(_ n: Int) {
        counts.withLock { $0.generated += UInt64(n) }
    }

    /// Accounts a published batch: schedule lag (publish returned − intended) for events in the measured window, and
    /// the per-second tallies. `offsets` are the events' intended offsets from the start, in increasing order; `done`
    /// is the offset at which the publish call returned.
    func didPublish(offsets: [Int64], startWall: Int64, done: Int64) {
        let measured = window
        var inWindow: UInt64 = 0
        // Offsets come in increasing order, so the due-per-second tally is a few runs, not one entry per event.
        var dueRuns: [(second: Int, count: Int)] = []
        for t in offsets {
            let intended = startWall + t
            if intended >= measured.start && intended < measured.end {
                scheduleLag.record(nanoseconds: done - t)
                inWindow += 1
            }
            let sec = Int(t / 1_000_000_000)
            if dueRuns.last?.second == sec { dueRuns[dueRuns.count - 1].count += 1 } else { dueRuns.append((sec, 1)) }
        }
        let second = Int(done / 1_000_000_000), chunkCount = offsets.count
        perSecond.withLock { s in
            s.add(chunkCount, at: second, to: \.published)
            for r in dueRuns { s.add(r.count, at: r.second, to: \.due) }
        }
        counts.withLock {
            $0.published += UInt64(chunkCount)
            $0.measuredPublished += inWindow
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
