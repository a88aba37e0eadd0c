import LoadSource
import RiskSignalCore

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Order lifecycles on `user.actions.orders`: Zipf-active users place limit and market orders that go
/// new → (partially_filled…) → filled or canceled, with a cancel-heavy minority; `orderVelocity` makes one user
/// fire orders at a given rate on top, most of them canceled.
public struct OrderGenerator: EventGenerator {
    /// The order generator's settings; every field has the default listed in the table atop `GeneratorSpec.swift`.
    public struct Parameters: Sendable, Equatable {
        public var symbols: [String]?
        public var symbolCount: Int
        public var zipfExponent: Double
        /// Users are 1...userCount; user u is the u-th most active, activity ∝ u^-userZipfExponent.
        public var userCount: Int
        public var userZipfExponent: Double
        public var marketOrderFraction: Double
        /// Chance that an ordinary user's limit order ends canceled rather than filled.
        public var cancelRatio: Double
        /// Share of users who cancel most of their orders (spoofing-like behaviour), and their cancel ratio.
        public var cancelHeavyFraction: Double
        public var cancelHeavyRatio: Double
        /// Chance of each further partial fill before an order ends (geometric number of partial fills).
        public var partialFillProbability: Double
        /// Open orders the flow hovers around: new orders are likelier below it, lifecycle steps above it.
        public var targetOpenOrders: Int
        /// Median order notional in quote currency (lognormal).
        public var medianNotional: Double
        /// Cancel ratio of the orders an `orderVelocity` injection adds.
        public var injectedCancelRatio: Double

        public init(symbols: [String]? = nil, symbolCount: Int = 50, zipfExponent: Double = 1.1, userCount: Int = 10_000,
                    userZipfExponent: Double = 0.8, marketOrderFraction: Double = 0.2, cancelRatio: Double = 0.3,
                    cancelHeavyFraction: Double = 0.05, cancelHeavyRatio: Double = 0.9, partialFillProbability: Double = 0.4,
                    targetOpenOrders: Int = 500, medianNotional: Double = 1_000, injectedCancelRatio: Double = 0.9) {
            self.symbols = symbols
            self.symbolCount = symbolCount
            self.zipfExponent = zipfExponent
            self.userCount = userCount
            self.userZipfExponent = userZipfExponent
            self.marketOrderFraction = marketOrderFraction
            self.cancelRatio = cancelRatio
            self.cancelHeavyFraction = cancelHeavyFraction
            self.cancelHeavyRatio = cancelHeavyRatio
            self.partialFillProbability = partialFillProbability
            self.targetOpenOrders = targetOpenOrders
            self.medianNotional = medianNotional
            self.injectedCancelRatio = injectedCancelRatio
        }
    }

    /// A live order and how its lifecycle will go (decided when it is placed).
    struct Order: Sendable {
        var user: Int64
        var id: Int64
        var symbol: Int
        var buy: Bool
        var market: Bool
        var priceTicks: Int64
        var lots: Int64
        var filled: Int64 = 0
        var partialFillsLeft: Int
        var endsCanceled: Bool
    }

    enum Status: Int { case new = 0, partiallyFilled, filled, canceled }

    /// An `orderVelocity` in progress: the user's next extra order is due at `nextNew`.
    struct Velocity: Sendable {
        var user: Int64
        var until: Int64
        var rate: Double
        var nextNew: Int64
    }

    public let kind = FeedKind.orders
    /// The one subject of the order lifecycle events.
    static let subject = FeedKind.orders.subjectPrefix + "orders"
    public var feeds: [FeedKind] { [kind] }
    public let parameters: Parameters
    var draw: Draw
    let universe: SymbolUniverse
    let symbolPopularity: ZipfSampler
    let userActivity: ZipfSampler
    /// Reference price of each symbol in ticks, a slow random walk limit prices are set around.
    var reference: [Double]
    var open: [Order] = []
    var velocities: [Velocity] = []
    /// Final events of injected orders, sorted by due time.
    var injectedEnds: [(due: Int64, order: Order)] = []
    var nextOrderID: Int64
    var eventNumber: Int64 = 0
    let cancelHeavySalt: UInt64

    public init(_ parameters: Parameters = Parameters(), seed: UInt64, idSalt: UInt64 = 0) throws(GeneratorParameterError) {
        let p = parameters
        if let s = p.symbols { try ParameterCheck.symbols(s, "symbols") } else { try ParameterCheck.range(p.symbolCount, 1...999, "symbolCount") }
        try ParameterCheck.range(p.zipfExponent, 0...5, "zipfExponent")
        try ParameterCheck.range(p.userCount, 1...10_000_000, "userCount")
        try ParameterCheck.range(p.userZipfExponent, 0...5, "userZipfExponent")
        try ParameterCheck.fraction(p.marketOrderFraction, "marketOrderFraction")
        try ParameterCheck.fraction(p.cancelRatio, "cancelRatio")
        try ParameterCheck.fraction(p.cancelHeavyFraction, "cancelHeavyFraction")
        try ParameterCheck.fraction(p.cancelHeavyRatio, "cancelHeavyRatio")
        try ParameterCheck.range(p.partialFillProbability, 0...0.95, "partialFillProbability")
        try ParameterCheck.range(p.targetOpenOrders, 1...10_000_000, "targetOpenOrders")
        try ParameterCheck.range(p.medianNotional, 1e-6...1e12, "medianNotional")  // bounded: sizes become Int64 lots
        try ParameterCheck.fraction(p.injectedCancelRatio, "injectedCancelRatio")
        self.parameters = p
        universe = SymbolUniverse(names: p.symbols ?? SymbolUniverse.defaultSymbols(count: p.symbolCount))
        symbolPopularity = ZipfSampler(count: universe.count, exponent: p.zipfExponent)
        userActivity = ZipfSampler(count: p.userCount, exponent: p.userZipfExponent)
        reference = universe.infos.map { $0.initialPrice / $0.tickSize }
        draw = Draw(seed: seed, idSalt: idSalt)
        nextOrderID = draw.idBase()
        eventNumber = draw.idBase()
        cancelHeavySalt = draw.next()
        open.reserveCapacity(p.targetOpenOrders * 2)
    }

    /// Whether `user` belongs to the cancel-heavy minority (fixed per user for a seed).
    public func isCancelHeavy(user: Int64) -> Bool {
        var r = SplitMix64(seed: UInt64(bitPattern: user) ^ cancelHeavySalt)
        return Double(r.next() >> 11) * 0x1p-53 < parameters.cancelHeavyFraction
    }

    /// Orders placed and not yet filled or canceled.
    public var openOrderCount: Int { open.count + injectedEnds.count }

    public mutating func next(at intendedNanos: Int64) -> GeneratedEvent {
        eventNumber += 1
        if let event = nextInjected(at: intendedNanos) { return event }
        let wantNew = open.isEmpty || draw.uniform() < (open.count < parameters.targetOpenOrders ? 0.55 : 0.3)
        if wantNew {
            let user = Int64(userActivity.sample(&draw) + 1)
            let ratio = isCancelHeavy(user: user) ? parameters.cancelHeavyRatio : parameters.cancelRatio
            let order = newOrder(user: user, cancelRatio: ratio, market: draw.uniform() < parameters.marketOrderFraction)
            open.append(order)
            return encode(order, .new, intendedNanos)
        }
        let k = draw.below(open.count)
        var o = open[k]
        let status: Status
        if o.partialFillsLeft > 0, o.lots - o.filled > 1 {
            // A partial fill leaves something unfilled, so filled_quantity < quantity until the end.
            o.partialFillsLeft -= 1
            let remaining = o.lots - o.filled
            o.filled += max(1, min(remaining - 1, Int64(Double(remaining) * (0.1 + 0.6 * draw.uniform()))))
            open[k] = o
            status = .partiallyFilled
        } else {
            if o.endsCanceled {
                status = .canceled
            } else {
                o.filled = o.lots
                status = .filled
            }
            open.swapAt(k, open.count - 1)
            open.removeLast()
        }
        return encode(o, status, intendedNanos)
    }

    /// The injected user's next order or an injected order's end, if one is due by `t`.
    private mutating func nextInjected(at t: Int64) -> GeneratedEvent? {
        velocities.removeAll { $0.nextNew > $0.until }
        var best: Int?
        for (j, v) in velocities.enumerated() where v.nextNew <= v.until && v.nextNew <= t {
            if best == nil || v.nextNew < velocities[best!].nextNew { best = j }
        }
        if let end = injectedEnds.first, end.due <= t, best.map({ velocities[$0].nextNew >= end.due }) ?? true {
            injectedEnds.removeFirst()
            var o = end.order
            let status: Status
            if o.endsCanceled {
                status = .canceled
            } else {
                o.filled = o.lots
                status = .filled
            }
            return encode(o, status, t)
        }
        guard let j = best else { return nil }
        let v = velocities[j]
        velocities[j].nextNew = v.nextNew &+ max(1, Int64(draw.exponential(rate: v.rate) * 1e9))
        var order = newOrder(user: v.user, cancelRatio: parameters.injectedCancelRatio, market: false)
        order.partialFillsLeft = 0
        // Fast traders cancel within a second or two.
        let due = v.nextNew &+ Int64(50_000_000 + draw.below(1_950_000_000))
        let at = injectedEnds.firstIndex { $0.due > due } ?? injectedEnds.count
        injectedEnds.insert((due, order), at: at)
        return encode(order, .new, t)
    }

    private mutating func newOrder(user: Int64, cancelRatio: Double, market: Bool) -> Order {
        let s = symbolPopularity.sample(&draw)
        let info = universe.infos[s]
        reference[s] = max(10, reference[s] * exp(0.0005 * draw.normal()))
        let buy = draw.next() & 1 == 0
        // Limit orders rest a little away from the reference price, on their own side of it.
        let offset = market ? 0 : abs(draw.normal()) * 0.002 * reference[s]
        let ticks = max(1, Int64((buy ? reference[s] - offset : reference[s] + offset).rounded()))
        let notional = parameters.medianNotional * exp(draw.normal())
        let lots = info.lots(quantity: notional / info.price(ticks: ticks))
        var partials = 0
        while partials < 5, draw.uniform() < parameters.partialFillProbability { partials += 1 }
        nextOrderID += 1
        return Order(user: user, id: nextOrderID, symbol: s, buy: buy, market: market, priceTicks: ticks, lots: lots,
                     partialFillsLeft: partials, endsCanceled: !market && draw.uniform() < cancelRatio)
    }

    public mutating func inject(_ injection: Injection, at intendedNanos: Int64) {
        guard injection.kind == .orderVelocity, injection.magnitude > 0, injection.magnitude.isFinite,
              let user = Int64(injection.target), user > 0 else { return }
        let first = intendedNanos &+ Int64(draw.exponential(rate: injection.magnitude) * 1e9)
        velocities.append(Velocity(user: user, until: intendedNanos &+ injection.duration.totalNanoseconds,
                                   rate: injection.magnitude, nextNew: first))
    }

    // MARK: Encoding

    private static let head: StaticString = "{\"event_id\":\"ord-"
    private static let timeKey: StaticString = "\",\"event_time\":"
    private static let userKey: StaticString = ",\"user_id\":"
    private static let orderKey: StaticString = ",\"order_id\":"
    private static let symbolKey: StaticString = ",\"symbol\":"
    private static let buyKey: StaticString = ",\"side\":\"BUY\",\"type\":\""
    private static let sellKey: StaticString = ",\"side\":\"SELL\",\"type\":\""
    private static let limitType: StaticString = "limit"
    private static let marketType: StaticString = "market"
    private static let priceKey: StaticString = "\",\"price\":"
    private static let quantityKey: StaticString = ",\"quantity\":"
    private static let filledKey: StaticString = ",\"filled_quantity\":"
    private static let statusKey: StaticString = ",\"status\":\""
    private static func statusText(_ s: Status) -> StaticString {
        switch s {
        case .new: "new"
        case .partiallyFilled: "partially_filled"
        case .filled: "filled"
        case .canceled: "canceled"
        }
    }
    private static let intendedKey: StaticString = "\",\"intended_ns\":"

    private func encode(_ o: Order, _ status: Status, _ intendedNanos: Int64) -> GeneratedEvent {
        let info = universe.infos[o.symbol]
        var eventID = ""
        let payload = PayloadWriter.build(capacity: 340 + 2 * info.symbolBytes.count) { w in
            w.raw(Self.head)
            let idStart = w.count - 4
            w.int(eventNumber)
            eventID = w.string(from: idStart)
            w.raw(Self.timeKey)
            w.int(intendedNanos / 1_000_000)
            w.raw(Self.userKey)
            w.int(o.user)
            w.raw(Self.orderKey)
            w.int(o.id)
            w.raw(Self.symbolKey)
            w.raw(info.quotedSymbol)
            w.raw(o.buy ? Self.buyKey : Self.sellKey)
            w.raw(o.market ? Self.marketType : Self.limitType)
            w.raw(Self.priceKey)
            info.writePrice(ticks: o.priceTicks, to: &w)
            w.raw(Self.quantityKey)
            info.writeQuantity(lots: o.lots, to: &w)
            w.raw(Self.filledKey)
            info.writeQuantity(lots: o.filled, to: &w)
            w.raw(Self.statusKey)
            w.raw(Self.statusText(status))
            w.raw(Self.intendedKey)
            w.int(intendedNanos)
            w.byte(UInt8(ascii: "}"))
        }
        return GeneratedEvent(subject: Self.subject, payload: payload, eventID: eventID, intendedNanos: intendedNanos)
    }
}
