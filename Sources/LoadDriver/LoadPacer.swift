import Foundation
import JetStream
import LoadSource
import RiskSignalCore
import Synchronization

/// Paces any number of workloads open-loop from one dedicated thread. It wakes at the earliest arrival due across all
/// of them, but no sooner than one tick after its last wake-up, and publishes everything due by then in one go.
/// Every event keeps its exact intended instant (header and payload); the tick only makes events later, and lateness
/// is recorded as schedule lag, never skipped.
public struct LoadPacer: Sendable {
    /// The shortest time between two wake-ups. Fewer wake-ups (and publish batches) per second cost up to one tick of
    /// schedule lag at high rates; at low rates each event still goes out at its own instant.
    public var tick: Duration
    /// Events taken from one workload per wake-up, so a workload far behind cannot hold up the others for long.
    public var chunkLimit: Int

    public init(tick: Duration = .milliseconds(1), chunkLimit: Int = 2000) {
        self.tick = tick
        self.chunkLimit = max(1, chunkLimit)
    }

    /// Runs the drivers' schedules from `startWall` (ns since the epoch, matching `startInstant`) until `end` after it,
    /// or until every rate model ends when `end` is nil. Cancelling the calling task stops it at its next wake-up.
    public func run(_ drivers: [WorkloadDriver], startWall: Int64, startInstant: ContinuousClock.Instant, end: Duration? = nil) async throws {
        var owned: [WorkloadDriver] = [], plans: [WorkloadPlan] = []
        for d in drivers {
            if let p = d.takePlan() {
                owned.append(d)
                plans.append(p)
            }
        }
        if owned.isEmpty { return }
        let schedule = MergedSchedule(plans: plans, startWall: startWall, endOffset: end?.totalNanoseconds ?? .max)
        let stop = StopFlag()
        // A thread of its own: it sleeps to exact instants and may block on a full publish window, and each wake-up
        // then costs one thread wake, not a timer hop, a pool hop and a lane hop.
        let lane = BlockingLane(label: "rsbench.pacer")
        let loop = PacerLoop(drivers: owned, schedule: schedule, startInstant: startInstant, tickNanos: max(0, tick.totalNanoseconds),
                             chunkLimit: chunkLimit, stop: stop)
        try await withTaskCancellationHandler {
            try await lane.run { () throws(NATSError) in
                var l = loop
                try l.run()
            }
        } onCancel: {
            stop.set()
        }
    }
}

/// Set once, from any thread, to stop the pacer.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}

/// The pacer's loop, on its own thread.
struct PacerLoop: Sendable {
    let drivers: [WorkloadDriver]
    var schedule: MergedSchedule
    let startInstant: ContinuousClock.Instant
    let tickNanos: Int64
    let chunkLimit: Int
    let stop: StopFlag
    /// A long sleep is cut into slices this long, so a cancellation is seen soon.
    static let maxSleepNanos: Int64 = 20_000_000

    mutating func run() throws(NATSError) {
        let clock = ContinuousClock()
        let startWall = schedule.startWall
        let n = drivers.count
        var batches = [[OutgoingMessage]](repeating: [], count: n)
        var offsets = [[Int64]](repeating: [], count: n)
        for w in 0..<n {
            batches[w].reserveCapacity(256)
            offsets[w].reserveCapacity(256)
        }
        var lastWake: Int64?
        var behind = false
        while !stop.isSet {
            guard let earliest = schedule.earliest else { break }
            var now = (clock.now - startInstant).totalNanoseconds
            if !behind {
                let wake = lastWake.map { max(earliest, $0 + tickNanos) } ?? earliest
                if wake > now {
                    Self.sleep(nanoseconds: min(wake - now, Self.maxSleepNanos))
                    now = (clock.now - startInstant).totalNanoseconds
                    if now < wake { continue }
                }
            }
            lastWake = now
            var total = 0
            behind = false
            for w in 0..<n {
                batches[w].removeAll(keepingCapacity: true)
                offsets[w].removeAll(keepingCapacity: true)
                total += schedule.takeDue(w, by: now, limit: chunkLimit) { e, t in
                    batches[w].append(OutgoingMessage(subject: e.subject, payload: e.payload,
                                                      headers: [(MessageHeader.intendedSendNanos, String(startWall + t)), (MessageHeader.traceID, e.eventID)],
                                                      messageID: e.eventID))
                    offsets[w].append(t)
                }
                if schedule.hasDue(w, by: now) { behind = true }
            }
            if total == 0 { continue }
            // One actual-send instant per batch, the moment it is handed to NATS (as before: one per publish call).
            let sentText = String(startWall + (clock.now - startInstant).totalNanoseconds)
            for w in 0..<n where !batches[w].isEmpty {
                for i in batches[w].indices { batches[w][i].headers.append((WorkloadDriver.sentHeader, sentText)) }
                drivers[w].willPublish(batches[w].count)
            }
            for w in 0..<n where !batches[w].isEmpty {
                try drivers[w].context.publishAsyncBlocking(batches[w])
            }
            let done = (clock.now - startInstant).totalNanoseconds
            for w in 0..<n where !offsets[w].isEmpty {
                drivers[w].didPublish(offsets: offsets[w], startWall: startWall, done: done)
            }
        }
    }

    static func sleep(nanoseconds ns: Int64) {
        guard ns > 0 else { return }
        var req = timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
        var rem = timespec()
        while nanosleep(&req, &rem) == -1 && errno == EINTR { req = rem }
    }
}
