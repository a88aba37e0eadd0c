import LoadSource
import RiskSignalCore

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// sendBeacon-style batches of browser events on `frontend.events.web` from simulated user sessions: sessions start
/// as a Poisson process on the generator's own clock, walk a page-flow Markov chain with lognormal think times, and
/// send a beacon when `beaconSize` events are buffered or the page is left.
///
/// `next(at:)` advances the simulation until a beacon is ready and stamps it with the intended time, so the rate
/// model paces beacons (sessions send about 4 beacons each and last about 90 s, so `sessionsPerSecond` × 4 beacons/s
/// arise naturally). Each session's event times are offset to start at the intended time of the call during which
/// it began, so they stay near the send time whatever the pacing; `sent_at` is the session's own clock.
public struct FrontendGenerator: EventGenerator {
    /// The frontend generator's settings; every field has the default listed in the table atop `GeneratorSpec.swift`.
    public struct Parameters: Sendable, Equatable {
        /// New sessions per second of the generator's clock.
        public var sessionsPerSecond: Double
        /// A beacon goes out when this many events are buffered (and on page hide or exit): the most per beacon.
        public var beaconSize: Int
        /// Mean think time between a session's events (lognormal, sigma 1).
        public var thinkTime: Duration
        /// Users are 1...userCount, density ∝ id^-0.7 (a few are very active).
        public var userCount: Int
        /// A session leaves after at most this many pages.
        public var maxPagesPerSession: Int
        /// Symbols trade pages show; nil: `symbolCount` default symbols.
        public var symbols: [String]?
        public var symbolCount: Int
        public var zipfExponent: Double

        public init(sessionsPerSecond: Double = 20, beaconSize: Int = 10, thinkTime: Duration = .seconds(5),
                    userCount: Int = 10_000, maxPagesPerSession: Int = 40, symbols: [String]? = nil,
                    symbolCount: Int = 50, zipfExponent: Double = 1.1) {
            self.sessionsPerSecond = sessionsPerSecond
            self.beaconSize = beaconSize
            self.thinkTime = thinkTime
            self.userCount = userCount
            self.maxPagesPerSession = maxPagesPerSession
            self.symbols = symbols
            self.symbolCount = symbolCount
            self.zipfExponent = zipfExponent
        }
    }

    /// One buffered browser event; `action` indexes the page's action table, `pageView` marks a page view.
    struct PageEvent: Sendable {
        var nanos: Int64
        var action: UInt8
        var page: UInt8
        var symbol: Int32
    }

    struct Session: Sendable {
        var id: Int64
        var user: Int64
        /// Added to simulation times to get the event times sent (see the type's comment).
        var offset: Int64
        var page: Int
        var symbol: Int
        var nextAt: Int64
        var actionsLeft: Int
        var pagesLeft: Int
        var buffer: [PageEvent]
    }

    struct Beacon: Sendable {
        var sessionID: Int64
        var user: Int64
        var sentAt: Int64
        var events: [PageEvent]
    }

    static let pageView: UInt8 = 255
    static let pagePaths = ["/", "/markets", "/trade/", "/wallet", "/orders", "/settings"]
    static let exitPage = 6
    /// Page flow: row = current page, columns = next page (same order as `pagePaths`), then exit.
    static let transitions: [[Double]] = [
        [0.00, 0.35, 0.25, 0.10, 0.05, 0.05, 0.20],
        [0.05, 0.00, 0.55, 0.05, 0.05, 0.02, 0.28],
        [0.03, 0.20, 0.25, 0.10, 0.15, 0.02, 0.25],
        [0.10, 0.15, 0.30, 0.00, 0.10, 0.05, 0.30],
        [0.05, 0.10, 0.45, 0.10, 0.00, 0.05, 0.25],
        [0.20, 0.10, 0.10, 0.10, 0.10, 0.00, 0.40],
    ]
    /// Interactions per page: (event type, element, weight).
    static let actions: [[(String, String, Double)]] = [
        [("click", "#hero-cta", 0.15), ("click", "#nav-markets", 0.15), ("click", "#login-btn", 0.10),
         ("click", "#promo-banner", 0.10), ("scroll", "#main", 0.35), ("input", "#search", 0.15)],
        [("click", "#market-row", 0.30), ("click", "#sort-volume", 0.10), ("click", "#favorite-star", 0.10),
         ("click", "#tab-spot", 0.05), ("scroll", "#market-list", 0.30), ("input", "#search", 0.15)],
        [("click", "#buy-btn", 0.15), ("click", "#sell-btn", 0.12), ("input", "#qty-input", 0.15),
         ("input", "#price-input", 0.10), ("click", "#tab-limit", 0.05), ("click", "#tab-market", 0.05),
         ("scroll", "#orderbook", 0.13), ("click", "#chart", 0.10), ("scroll", "#trades", 0.05), ("click", "#symbol-switch", 0.10)],
        [("click", "#deposit-btn", 0.20), ("click", "#withdraw-btn", 0.15), ("click", "#asset-row", 0.20),
         ("click", "#copy-address", 0.10), ("scroll", "#assets", 0.20), ("input", "#amount-input", 0.15)],
        [("click", "#cancel-btn", 0.25), ("click", "#order-row", 0.20), ("click", "#filter-open", 0.15),
         ("click", "#cancel-all", 0.05), ("scroll", "#order-list", 0.35)],
        [("click", "#2fa-toggle", 0.20), ("click", "#api-keys", 0.20), ("click", "#save-btn", 0.20),
         ("click", "#theme-toggle", 0.10), ("input", "#email-input", 0.15), ("scroll", "#settings", 0.15)],
    ]

    public let kind = FeedKind.frontend
    /// The one subject of the browser beacons.
    static let subject = FeedKind.frontend.subjectPrefix + "web"
    public var feeds: [FeedKind] { [kind] }
    public let parameters: Parameters
    var draw: Draw
    let universe: SymbolUniverse
    let symbolPopularity: ZipfSampler
    /// Where sessions land: /, /markets or a trade page.
    let landingCDF = cumulative([0.5, 0.3, 0.2])
    /// Mean interactions on each page after its page view.
    let meanActions: [Double] = [2, 3, 5, 2.5, 2.5, 2]
    let transitionCDFs: [[Double]]
    let actionCDFs: [[Double]]
    /// `"event_type":"click","element":"#buy-btn"` per page and action, pre-encoded.
    let actionBytes: [[[UInt8]]]
    let pageBytes: [[UInt8]]
    let symbolBytes: [[UInt8]]
    let thinkMu: Double
    /// Most bytes one event takes in a beacon.
    let eventBound: Int
    let users: ActivityPool

    var started = false
    var simNow: Int64 = 0
    var nextSessionAt: Int64 = 0
    var lastIntended: Int64 = 0
    /// Sessions in progress live in `slots` (reused through `freeSlots`); `heap` is a binary min-heap of
    /// (next event time, slot), so sifting moves 16-byte entries, not sessions and their buffers.
    var slots: [Session] = []
    var freeSlots: [Int] = []
    var heap: [(at: Int64, slot: Int)] = []
    var ready: [Beacon] = []
    var readyHead = 0
    var sessionCounter: Int64 = 0
    var beaconCounter: Int64 = 0
    public private(set) var sessionsStarted = 0
    public private(set) var sessionsEnded = 0
    /// Sessions that have started and not yet left.
    public var activeSessions: Int { heap.count }

    public init(_ parameters: Parameters = Parameters(), seed: UInt64, idSalt: UInt64 = 0) throws(GeneratorParameterError) {
        let p = parameters
        try ParameterCheck.rate(p.sessionsPerSecond, "sessionsPerSecond")
        try ParameterCheck.range(p.beaconSize, 1...500, "beaconSize")
        try ParameterCheck.positive(p.thinkTime, "thinkTime")
        try ParameterCheck.range(p.userCount, 1...1_000_000_000, "userCount")
        try ParameterCheck.range(p.maxPagesPerSession, 1...10_000, "maxPagesPerSession")
        if let s = p.symbols { try ParameterCheck.symbols(s, "symbols") } else { try ParameterCheck.range(p.symbolCount, 1...999, "symbolCount") }
        try ParameterCheck.range(p.zipfExponent, 0...5, "zipfExponent")
        self.parameters = p
        universe = SymbolUniverse(names: p.symbols ?? SymbolUniverse.defaultSymbols(count: p.symbolCount))
        symbolPopularity = ZipfSampler(count: universe.count, exponent: p.zipfExponent)
        transitionCDFs = Self.transitions.map(cumulative)
        actionCDFs = Self.actions.map { cumulative($0.map(\.2)) }
        actionBytes = Self.actions.map { page in
            page.map { utf8("\"event_type\":\"\($0.0)\",\"element\":") + quotedBytes($0.1) }
        }
        pageBytes = Self.pagePaths.map(utf8)
        symbolBytes = universe.names.map(utf8)
        // Lognormal with sigma 1 and the requested mean: mu = ln(mean) − 1/2.
        thinkMu = log(max(p.thinkTime.seconds, 1e-6)) - 0.5
        users = ActivityPool(count: p.userCount)
        eventBound = 120 + (actionBytes.flatMap { $0 }.map(\.count).max() ?? 0) + (symbolBytes.map(\.count).max() ?? 0)
        draw = Draw(seed: seed, idSalt: idSalt)
        sessionCounter = draw.idBase()
        beaconCounter = draw.idBase()
    }

    public mutating func next(at intendedNanos: Int64) -> GeneratedEvent {
        lastIntended = intendedNanos
        if !started {
            started = true
            simNow = intendedNanos
            nextSessionAt = intendedNanos &+ gap(rate: parameters.sessionsPerSecond)
        }
        while readyHead == ready.count { step() }
        let beacon = ready[readyHead]
        readyHead += 1
        if readyHead == ready.count {
            ready.removeAll(keepingCapacity: true)
            readyHead = 0
        }
        beaconCounter += 1
        return encode(beacon, intendedNanos)
    }

    /// Frontend traffic takes no injections.
    public mutating func inject(_ injection: Injection, at intendedNanos: Int64) {}

    // MARK: Simulation

    @inline(__always) private mutating func gap(rate: Double) -> Int64 {
        max(1, Int64(draw.exponential(rate: rate) * 1e9))
    }

    private mutating func thinkTime() -> Int64 {
        max(1_000_000, Int64(exp(thinkMu + draw.normal()) * 1e9))
    }

    private mutating func actionCount(page: Int) -> Int {
        let mean = meanActions[page]
        var n = 0
        while n < 30, draw.uniform() < mean / (mean + 1) { n += 1 }
        return n
    }

    /// Processes the earliest pending thing: a session arriving, or a session's next event.
    private mutating func step() {
        if heap.isEmpty || nextSessionAt <= heap[0].at {
            simNow = nextSessionAt
            nextSessionAt = simNow &+ gap(rate: parameters.sessionsPerSecond)
            sessionCounter += 1
            sessionsStarted += 1
            let page = draw.pick(landingCDF)
            var s = Session(id: sessionCounter, user: users.sample(&draw),
                            offset: lastIntended &- simNow, page: page, symbol: symbolPopularity.sample(&draw),
                            nextAt: 0, actionsLeft: actionCount(page: page), pagesLeft: parameters.maxPagesPerSession - 1,
                            buffer: [])
            s.buffer.reserveCapacity(parameters.beaconSize)
            s.nextAt = simNow &+ thinkTime()
            let slot: Int
            if let free = freeSlots.popLast() {
                slot = free
                slots[slot] = s
            } else {
                slot = slots.count
                slots.append(s)
            }
            record(slot, action: Self.pageView)
            push(at: s.nextAt, slot: slot)
            return
        }
        let (at, slot) = popMin()
        simNow = at
        if slots[slot].actionsLeft > 0 {
            slots[slot].actionsLeft -= 1
            let action = UInt8(draw.pick(actionCDFs[slots[slot].page]))
            record(slot, action: action)
            slots[slot].nextAt = simNow &+ thinkTime()
            push(at: slots[slot].nextAt, slot: slot)
            return
        }
        // Leaving the page: the browser's pagehide sends what is buffered.
        flush(slot)
        var to = draw.pick(transitionCDFs[slots[slot].page])
        if slots[slot].pagesLeft == 0 { to = Self.exitPage }
        if to == Self.exitPage {
            sessionsEnded += 1
            slots[slot].buffer = []
            freeSlots.append(slot)
            return
        }
        slots[slot].pagesLeft -= 1
        if to == 2 { slots[slot].symbol = symbolPopularity.sample(&draw) }
        slots[slot].page = to
        slots[slot].actionsLeft = actionCount(page: to)
        record(slot, action: Self.pageView)
        slots[slot].nextAt = simNow &+ thinkTime()
        push(at: slots[slot].nextAt, slot: slot)
    }

    private mutating func record(_ slot: Int, action: UInt8) {
        let now = simNow
        let event = PageEvent(nanos: now &+ slots[slot].offset, action: action, page: UInt8(slots[slot].page),
                              symbol: Int32(slots[slot].symbol))
        slots[slot].buffer.append(event)
        if slots[slot].buffer.count >= parameters.beaconSize { flush(slot) }
    }

    private mutating func flush(_ slot: Int) {
        guard !slots[slot].buffer.isEmpty else { return }
        let s = slots[slot]
        ready.append(Beacon(sessionID: s.id, user: s.user, sentAt: simNow &+ s.offset, events: s.buffer))
        slots[slot].buffer.removeAll(keepingCapacity: true)
    }

    private mutating func push(at: Int64, slot: Int) {
        heap.append((at, slot))
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) >> 1
            guard heap[i].at < heap[parent].at else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func popMin() -> (at: Int64, slot: Int) {
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var i = 0
        let n = heap.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n, heap[l].at < heap[m].at { m = l }
            if r < n, heap[r].at < heap[m].at { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
        return top
    }

    // MARK: Encoding

    private static let head: StaticString = "{\"session_id\":\"s-"
    private static let userKey: StaticString = "\",\"user_id\":"
    private static let sentKey: StaticString = ",\"sent_at\":"
    private static let eventsKey: StaticString = ",\"events\":["
    private static let eventTimeKey: StaticString = "{\"event_time\":"
    private static let pageViewBytes: StaticString = "\"event_type\":\"page_view\",\"element\":\"document\""
    private static let pageKey: StaticString = ",\"properties\":{\"page\":\""
    private static let eventEnd: StaticString = "\"}}"
    private static let beaconKey: StaticString = "],\"event_id\":\"beacon-"
    private static let intendedKey: StaticString = "\",\"intended_ns\":"

    private func encode(_ b: Beacon, _ intendedNanos: Int64) -> GeneratedEvent {
        var eventID = ""
        let payload = PayloadWriter.build(capacity: 200 + b.events.count * eventBound) { w in
            w.raw(Self.head)
            w.int(b.sessionID)
            w.raw(Self.userKey)
            w.int(b.user)
            w.raw(Self.sentKey)
            w.int(b.sentAt / 1_000_000)
            w.raw(Self.eventsKey)
            for (k, e) in b.events.enumerated() {
                if k > 0 { w.byte(UInt8(ascii: ",")) }
                w.raw(Self.eventTimeKey)
                w.int(e.nanos / 1_000_000)
                w.byte(UInt8(ascii: ","))
                if e.action == Self.pageView {
                    w.raw(Self.pageViewBytes)
                } else {
                    w.raw(actionBytes[Int(e.page)][Int(e.action)])
                }
                w.raw(Self.pageKey)
                w.raw(pageBytes[Int(e.page)])
                if e.page == 2 { w.raw(symbolBytes[Int(e.symbol)]) }
                w.raw(Self.eventEnd)
            }
            w.raw(Self.beaconKey)
            let idStart = w.count - 7
            w.int(beaconCounter)
            eventID = w.string(from: idStart)
            w.raw(Self.intendedKey)
            w.int(intendedNanos)
            w.byte(UInt8(ascii: "}"))
        }
        return GeneratedEvent(subject: Self.subject, payload: payload, eventID: eventID, intendedNanos: intendedNanos)
    }
}
