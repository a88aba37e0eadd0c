import LoadSource

/// Several workloads' arrivals as one schedule: what is due by an instant, workload by workload, each in its own order
/// and with its injections applied exactly where its own schedule would apply them. No I/O, no clock.
public struct MergedSchedule: Sendable {
    /// One workload's position in its schedule.
    struct Cursor: Sendable {
        var generator: any EventGenerator
        var rate: any RateModel
        /// Offsets (ns from the run start) in increasing order.
        var injections: [(offset: Int64, injection: Injection)]
        var nextInjection = 0
        /// The next arrival offset, nil once the rate model has ended.
        var next: Int64?
    }

    var cursors: [Cursor]
    /// Wall-clock ns since the epoch of offset 0: intended instants are `startWall + offset`.
    public let startWall: Int64
    /// Arrivals at or after this offset are never sent.
    public let endOffset: Int64

    public init(plans: [WorkloadPlan], startWall: Int64, endOffset: Int64 = .max) {
        self.startWall = startWall
        self.endOffset = endOffset
        cursors = plans.map { p in
            var rate = p.rate
            let next = rate.nextArrival(after: -1)
            let injections = p.injections.map { (offset: $0.offset.totalNanoseconds, injection: $0.injection) }.sorted { $0.offset < $1.offset }
            return Cursor(generator: p.generator, rate: rate, injections: injections, next: next)
        }
    }

    public var workloadCount: Int { cursors.count }

    /// The earliest arrival still to send across all workloads, or nil when every workload has ended.
    public var earliest: Int64? {
        var best: Int64?
        for c in cursors {
            if let n = c.next, n < endOffset, n < (best ?? .max) { best = n }
        }
        return best
    }

    /// True when workload `w` has an arrival due at or before `now` (so the caller should not sleep).
    public func hasDue(_ w: Int, by now: Int64) -> Bool {
        guard let n = cursors[w].next else { return false }
        return n <= now && n < endOffset
    }

    /// Generates, in order, up to `limit` of workload `w`'s events due at or before `now` and hands each to `body` with
    /// its offset; returns how many it took. Lateness is never a reason to skip: a late event is only sent late.
    @discardableResult
    public mutating func takeDue(_ w: Int, by now: Int64, limit: Int, _ body: (GeneratedEvent, Int64) throws -> Void) rethrows -> Int {
        var taken = 0
        let end = endOffset, start = startWall
        try withCursor(w) { c in
            while taken < limit, let t = c.next, t <= now, t < end {
                while c.nextInjection < c.injections.count, c.injections[c.nextInjection].offset <= t {
                    let inj = c.injections[c.nextInjection]
                    c.generator.inject(inj.injection, at: start + inj.offset)
                    c.nextInjection += 1
                }
                let e = c.generator.next(at: start + t)
                c.next = c.rate.nextArrival(after: t)
                taken += 1
                try body(e, t)
            }
        }
        return taken
    }

    /// Mutates one cursor in place (no copy of its generator's state).
    private mutating func withCursor<R>(_ w: Int, _ body: (inout Cursor) throws -> R) rethrows -> R {
        try body(&cursors[w])
    }
}
