import FeedAdapters
import LoadSource
import MarketData
import RiskSignalCore

/// When each message of a replay is due (offsets from the start), and how later loops rewrite ids and times.
///
/// Offsets follow the recording's own timing, anchored to one start instant (so sleeping late once never
/// shifts everything after it), with quiet gaps clamped to `maxGap`, divided by `speed`, spaced to at
/// most `maxRate`, and strictly increasing so the pacer never sees two arrivals at one instant.
public struct ReplaySchedule: Sendable {
    public let items: [ReplayItem]
    /// Offset of each emission (loops included) in ns from the start.
    public let offsets: [Int64]
    public let loops: Int
    /// Move event times so the first message happens at the replay's start (see `ReplayOptions.keepTimes`).
    public let rebase: Bool
    let firstTime: Int64
    /// Length of one pass in recording time (ns), used to move event times on in later loops.
    public let passNanos: Int64
    /// Per symbol: the update-id span of the capture and its largest trade id, to keep later loops monotonic.
    let idSpan: [String: Int64]
    let tradeSpan: [String: UInt64]
    /// Applied to every message id, so a replay run twice within JetStream's duplicate window is not deduplicated away.
    public let ids: EventIDPolicy

    public init(items: [ReplayItem], options: ReplayOptions) throws(ReplayError) {
        guard options.speed.isFinite, options.speed > 0 else { throw .badOption(name: "--speed", reason: "must be a positive number, got \(options.speed)") }
        guard options.speed >= 1e-6, options.speed <= 1e6 else { throw .badOption(name: "--speed", reason: "must be within 1e-06...1e+06, got \(options.speed)") }
        guard options.loops >= 1 else { throw .badOption(name: "--loop", reason: "must be 1 or more, got \(options.loops)") }
        guard options.loops <= ParameterCheck.maxLoops else {
            throw .badOption(name: "--loop", reason: "must be at most \(ParameterCheck.maxLoops), got \(options.loops)")
        }
        // Every emission's offset is scheduled up front: messages × loops must fit in memory, not just in Int.
        let (emissions, tooMany) = items.count.multipliedReportingOverflow(by: options.loops)
        guard !tooMany, emissions <= ParameterCheck.maxEmissions else {
            throw .badOption(name: "--loop", reason: "\(items.count) messages × \(options.loops) loops is more than \(ParameterCheck.maxEmissions) emissions; use fewer loops")
        }
        if let r = options.maxRate, !(r.isFinite && ParameterCheck.rates.contains(r)) {
            throw .badOption(name: "--max-rate", reason: "must be a rate in 1e-06...1e+08 events/s, got \(r)")
        }
        let sorted = items.enumerated().sorted { ($0.element.timeNanos, $0.offset) < ($1.element.timeNanos, $1.offset) }.map(\.element)
        self.items = sorted
        self.loops = options.loops
        self.rebase = !options.keepTimes
        self.ids = options.ids
        let t0 = sorted.first?.timeNanos ?? 0
        firstTime = t0
        var base: [Int64] = []
        base.reserveCapacity(sorted.count)
        var clamped: Int64 = 0, prevTime = t0
        let maxGap = options.maxGap?.totalNanoseconds
        for it in sorted {
            var gap = it.timeNanos.subtractingReportingOverflow(prevTime).overflow ? Int64.max : it.timeNanos &- prevTime
            if let g = maxGap, gap > g { gap = g }
            clamped = Self.saturating(clamped, max(0, gap))
            prevTime = it.timeNanos
            base.append(clamped)
        }
        let onePass = Self.saturating(base.last ?? 0, sorted.count > 1 ? max(1, (base.last ?? 0) / Int64(sorted.count - 1)) : 1_000_000)
        let captureSpan = (sorted.last?.timeNanos ?? t0).subtractingReportingOverflow(t0)
        passNanos = max(1, Self.saturating(captureSpan.overflow ? Int64.max : captureSpan.partialValue, 1_000_000))
        let minSpacing = options.maxRate.map { Int64(1e9 / $0) } ?? 0  // maxRate ≥ 1e-6/s checked above: ≤ 1e15 ns
        // The last offset is (one pass × loops) / speed: it must fit the pacer's Int64 nanoseconds.
        let total = Double(onePass) * Double(options.loops) / options.speed
        guard options.topSpeed || total < 9.2e18 else {
            throw .badOption(name: options.loops > 1 ? "--loop" : "--speed",
                             reason: "the replay would last \(Int(min(total / 1e9 / 86_400 / 365, 1e9))) years (\(options.loops) loop(s) at speed \(options.speed)); use fewer loops, a higher --speed or --max-gap")
        }
        var offsets: [Int64] = []
        offsets.reserveCapacity(sorted.count * options.loops)
        var last: Int64 = -1
        for loop in 0..<options.loops {
            for b in base {
                var t = options.topSpeed ? 0 : Int64((Double(b) + Double(loop) * Double(onePass)) / options.speed)
                if last >= 0 { t = max(t, Self.saturating(last, max(1, minSpacing))) }
                offsets.append(t)
                last = t
            }
        }
        self.offsets = offsets
        var span: [String: (Int64, Int64)] = [:], trades: [String: UInt64] = [:]
        for it in sorted {
            guard case .market(let e) = it.body else { continue }
            switch e {
            case .book(let u):
                let s = span[u.symbol] ?? (Int64.max, Int64.min)
                span[u.symbol] = (min(s.0, u.firstUpdateId, u.prevLastUpdateId ?? u.firstUpdateId), max(s.1, u.lastUpdateId))
            case .trade(let t): trades[t.symbol] = max(trades[t.symbol] ?? 0, t.tradeId)
            case .quote: break
            }
        }
        idSpan = span.mapValues { Self.saturating($0.1.subtractingReportingOverflow($0.0).overflow ? Int64.max : $0.1 &- $0.0, 1) }
        tradeSpan = trades.mapValues { $0 == .max ? .max : $0 + 1 }
    }

    /// `a + b` held at `Int64.max`: schedule arithmetic on capture times that may sit at the ends of the range.
    static func saturating(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? (b > 0 ? .max : .min) : r
    }

    /// `a × b` held at the ends of `Int64`.
    static func saturating(_ a: Int64, times b: Int64) -> Int64 {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? ((a < 0) != (b < 0) ? .min : .max) : r
    }

    public var count: Int { offsets.count }
    /// The last offset plus one: a pacer's horizon.
    public var endNanos: Int64 { (offsets.last ?? 0) + 1 }

    /// The `i`-th emission: subject, payload and id, with loop `i / items.count` rewritten in.
    public func event(_ i: Int, intendedNanos: Int64) -> GeneratedEvent {
        let loop = i / max(1, items.count)
        let item = items[i % max(1, items.count)]
        // The run's start in wall time minus the capture's first instant: added to every event time when rebasing.
        let shift = rebase ? Self.saturating(intendedNanos &- offsets[i], firstTime == .min ? .max : -firstTime) : 0
        switch item.body {
        case .market(let e):
            let moved = rewrite(e, loop: loop, shift: shift)
            return GeneratedEvent(subject: moved.subject, payload: moved.jsonPayload(intendedNanos: intendedNanos),
                                  eventID: ids.scoped(moved.messageID(position: i)), intendedNanos: intendedNanos)
        case .raw(let subject, let payload, let id, _):
            return GeneratedEvent(subject: subject, payload: payload, eventID: ids.scoped(loop == 0 ? id : "\(id)~\(loop)"), intendedNanos: intendedNanos)
        case .timed(let subject, let id, _, let render):
            let t = Self.saturating(Self.saturating(item.timeNanos, shift), Self.saturating(Int64(loop), times: passNanos))
            return GeneratedEvent(subject: subject, payload: render(t), eventID: ids.scoped(loop == 0 ? id : "\(id)~\(loop)"), intendedNanos: intendedNanos)
        }
    }

    /// Loop `loop` of an event: update ids, trade ids and times moved past every earlier loop, ids suffixed.
    public func rewrite(_ e: NormalizedEvent, loop: Int, shift: Int64 = 0) -> NormalizedEvent {
        // Saturating: a capture's ids and times are outside data and may sit near Int64's ends; the pipeline then
        // refuses the message by name (event time outside the window) instead of the replay trapping.
        let dt = Self.saturating(Self.saturating(passNanos, times: Int64(loop)), shift)
        switch e {
        case .book(var u):
            let shift = Self.saturating(idSpan[u.symbol] ?? 0, times: Int64(loop))
            u.firstUpdateId = Self.saturating(u.firstUpdateId, shift)
            u.lastUpdateId = Self.saturating(u.lastUpdateId, shift)
            u.prevLastUpdateId = u.prevLastUpdateId.map { Self.saturating($0, shift) }
            u.eventTimeNanos = Self.saturating(u.eventTimeNanos, dt)
            if loop > 0 { u.eventId = u.eventId.map { "\($0)~\(loop)" } }
            return .book(u)
        case .trade(var t):
            let (step, o1) = (tradeSpan[t.symbol] ?? 0).multipliedReportingOverflow(by: UInt64(loop))
            let (id, o2) = t.tradeId.addingReportingOverflow(step)
            t.tradeId = o1 || o2 ? .max : id
            t.eventTimeNanos = Self.saturating(t.eventTimeNanos, dt)
            if loop > 0 { t.eventId = t.eventId.map { "\($0)~\(loop)" } }
            return .trade(t)
        case .quote(var q):
            q.eventTimeNanos = Self.saturating(q.eventTimeNanos, dt)
            return .quote(q)
        }
    }
}

extension NormalizedEvent {
    /// The id a publish is deduplicated by. Quotes carry no id of their own and two may share a timestamp, so they
    /// are told apart by their position in the replay (unique across loops too).
    func messageID(position: Int) -> String {
        switch self {
        case .book(let u): u.eventId ?? "\(u.exchange):\(u.symbol):l2:\(u.firstUpdateId)-\(u.lastUpdateId)"
        case .trade(let t): t.eventId ?? "\(t.exchange):\(t.symbol):\(t.tradeId)"
        case .quote(let q): "\(q.exchange):\(q.symbol):q:\(position)"
        }
    }
}

/// A replay as a load-driver workload: the schedule's offsets as the rate model, its events as the generator.
public struct ReplayWorkload: EventGenerator, RateModel {
    public let feeds: [FeedKind]
    let schedule: ReplaySchedule
    private var nextEvent = 0
    private var nextArrivalIndex = 0

    public init(schedule: ReplaySchedule) {
        self.schedule = schedule
        feeds = Set(schedule.items.compactMap(\.feed)).sorted()
    }

    public mutating func next(at intendedNanos: Int64) -> GeneratedEvent {
        defer { nextEvent += 1 }
        return schedule.event(nextEvent, intendedNanos: intendedNanos)
    }

    public mutating func inject(_ injection: Injection, at intendedNanos: Int64) {}

    public mutating func nextArrival(after t: Int64) -> Int64? {
        guard nextArrivalIndex < schedule.offsets.count else { return nil }
        defer { nextArrivalIndex += 1 }
        return schedule.offsets[nextArrivalIndex]
    }

    public func expectedRate(at t: Int64) -> Double {
        guard schedule.endNanos > 1 else { return 0 }
        return Double(schedule.count) / (Double(schedule.endNanos) / 1e9)
    }
}
