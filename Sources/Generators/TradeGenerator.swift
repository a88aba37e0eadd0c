import LoadSource
import RiskSignalCore

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Trades on `market.trades.<symbol>` that execute against the generator's own simulated books (the L2 simulation):
/// a buy at the best ask, a sell at the best bid, taking liquidity; sometimes a sweep walks several levels as
/// fills sharing one event time and taker order id.
public struct TradeGenerator: EventGenerator {
    /// The trade generator's settings; every field has the default listed in the table atop `GeneratorSpec.swift`.
    public struct Parameters: Sendable, Equatable {
        /// Symbols, most popular first; nil: `symbolCount` default symbols (as `L2Generator`).
        public var symbols: [String]?
        public var symbolCount: Int
        public var zipfExponent: Double
        /// Chance that a trade is a buy (0.5 balanced; above it buyers dominate).
        public var buyProbability: Double
        /// Median trade notional in quote currency; sizes are lognormal around it.
        public var medianNotional: Double
        public var sizeSigma: Double
        /// Chance that a taker order sweeps several levels.
        public var sweepProbability: Double
        /// Most levels one sweep walks (at least 2).
        public var maxSweepLevels: Int
        /// Exchange-side book updates simulated after each trade of a symbol.
        public var updatesPerTrade: Int
        /// Book simulation, as in `L2Generator.Parameters`.
        public var depth: Int
        public var volatility: Double
        public var jumpProbability: Double
        public var jumpSize: Double
        public var touchNotional: Double

        public init(symbols: [String]? = nil, symbolCount: Int = 50, zipfExponent: Double = 1.1,
                    buyProbability: Double = 0.5, medianNotional: Double = 300, sizeSigma: Double = 1.2,
                    sweepProbability: Double = 0.02, maxSweepLevels: Int = 5, updatesPerTrade: Int = 2,
                    depth: Int = 20, volatility: Double = 2e-5, jumpProbability: Double = 0.0005,
                    jumpSize: Double = 0.002, touchNotional: Double = 5_000) {
            self.symbols = symbols
            self.symbolCount = symbolCount
            self.zipfExponent = zipfExponent
            self.buyProbability = buyProbability
            self.medianNotional = medianNotional
            self.sizeSigma = sizeSigma
            self.sweepProbability = sweepProbability
            self.maxSweepLevels = maxSweepLevels
            self.updatesPerTrade = updatesPerTrade
            self.depth = depth
            self.volatility = volatility
            self.jumpProbability = jumpProbability
            self.jumpSize = jumpSize
            self.touchNotional = touchNotional
        }
    }

    /// A sweep in progress: its remaining fills go out on the next calls, before anything else happens to the book.
    struct Sweep: Sendable {
        var symbol: Int
        var buy: Bool
        var fillsLeft: Int
        var eventTimeMillis: Int64
        var orderID: Int64
    }

    public let kind = FeedKind.trades
    public var feeds: [FeedKind] { [kind] }
    public let parameters: Parameters
    var sim: BookSimulator
    let subjects: [String]
    var tradeIDs: [Int64]
    var orderID: Int64
    var sweep: Sweep?

    public init(_ parameters: Parameters = Parameters(), seed: UInt64, idSalt: UInt64 = 0) throws(GeneratorParameterError) {
        self.parameters = parameters
        let p = parameters
        let l2 = L2Generator.Parameters(symbols: p.symbols, symbolCount: p.symbolCount, zipfExponent: p.zipfExponent,
                                        depth: p.depth, volatility: p.volatility, jumpProbability: p.jumpProbability,
                                        jumpSize: p.jumpSize, touchNotional: p.touchNotional)
        let (universe, dynamics) = try l2.validated()
        try ParameterCheck.fraction(p.buyProbability, "buyProbability")
        try ParameterCheck.range(p.medianNotional, 1e-6...1e12, "medianNotional")  // bounded: sizes become Int64 lots
        try ParameterCheck.range(p.sizeSigma, 0...3, "sizeSigma")
        try ParameterCheck.fraction(p.sweepProbability, "sweepProbability")
        try ParameterCheck.range(p.maxSweepLevels, 2...100, "maxSweepLevels")
        try ParameterCheck.range(p.updatesPerTrade, 0...100, "updatesPerTrade")
        guard p.maxSweepLevels < p.depth else {
            throw .init(parameter: "maxSweepLevels", message: "must be less than depth (\(p.depth)), got \(p.maxSweepLevels)")
        }
        sim = BookSimulator(universe: universe, dynamics: dynamics, zipfExponent: p.zipfExponent, seed: seed, idSalt: idSalt)
        subjects = universe.names.map { FeedKind.trades.subjectPrefix + $0 }
        var ids: [Int64] = []
        for _ in 0..<universe.count { ids.append(sim.draw.idBase()) }
        tradeIDs = ids
        orderID = sim.draw.idBase()
    }

    public var symbols: [String] { sim.universe.names }

    public mutating func next(at intendedNanos: Int64) -> GeneratedEvent {
        sim.changes.removeAll(keepingCapacity: true)
        if var s = sweep {
            s.fillsLeft -= 1
            let side = s.buy ? sim.books[s.symbol].asks : sim.books[s.symbol].bids
            // The last fill takes part of its level; earlier ones clear theirs. One level always stays.
            let last = s.fillsLeft == 0 || side.count <= 2
            let lots = last ? max(1, Int64(Double(side[0].lots) * (0.1 + 0.8 * sim.draw.uniform()))) : side[0].lots
            let event = fill(s.symbol, buy: s.buy, lots: lots, eventTimeMillis: s.eventTimeMillis, orderID: s.orderID,
                             intendedNanos: intendedNanos)
            if last {
                sweep = nil
                advance(s.symbol, now: intendedNanos)
            } else {
                sweep = s
            }
            return event
        }

        let i = sim.popularity.sample(&sim.draw)
        let buy = sim.draw.uniform() < parameters.buyProbability
        orderID += 1 + Int64(sim.draw.below(50))
        let ms = intendedNanos / 1_000_000
        let touchCount = buy ? sim.books[i].asks.count : sim.books[i].bids.count
        if touchCount > 2, sim.draw.uniform() < parameters.sweepProbability {
            let levels = min(2 + sim.draw.below(parameters.maxSweepLevels - 1), touchCount - 1)
            let lots = buy ? sim.books[i].asks[0].lots : sim.books[i].bids[0].lots
            sweep = Sweep(symbol: i, buy: buy, fillsLeft: levels - 1, eventTimeMillis: ms, orderID: orderID)
            return fill(i, buy: buy, lots: lots, eventTimeMillis: ms, orderID: orderID, intendedNanos: intendedNanos)
        }
        let info = sim.universe.infos[i]
        let notional = parameters.medianNotional * exp(parameters.sizeSigma * sim.draw.normal())
        let mid = sim.mid(i) ?? info.initialPrice
        let lots = info.lots(quantity: notional / mid)
        let event = fill(i, buy: buy, lots: lots, eventTimeMillis: ms, orderID: orderID, intendedNanos: intendedNanos)
        advance(i, now: intendedNanos)
        return event
    }

    /// Other market participants act on the book between this symbol's trades.
    private mutating func advance(_ i: Int, now: Int64) {
        for _ in 0..<parameters.updatesPerTrade { sim.update(i, now: now) }
        // An update refills an empty side (the fair price stays ≥ 8 ticks and a blowout ≤ a quarter of it), so this
        // ends after one round; the bound is a guard.
        var rounds = 0
        while rounds < 100, sim.books[i].bids.isEmpty || sim.books[i].asks.isEmpty {
            sim.update(i, now: now)
            rounds += 1
        }
        sim.changes.removeAll(keepingCapacity: true)
    }

    public mutating func inject(_ injection: Injection, at intendedNanos: Int64) {
        sim.inject(injection, at: intendedNanos)
    }

    /// The simulated book of `symbol` now, best level first, as (price, quantity).
    public func bookSnapshot(symbol: String) -> (bids: [(Double, Double)], asks: [(Double, Double)]) {
        guard let i = sim.universe.index(of: symbol) else { return ([], []) }
        return sim.snapshot(i)
    }

    /// Best bid and ask prices of `symbol` now: the next buy executes at `ask`, the next sell at `bid`.
    public func touch(symbol: String) -> (bid: Double, ask: Double)? {
        guard let i = sim.universe.index(of: symbol) else { return nil }
        let b = sim.books[i], info = sim.universe.infos[i]
        guard let bid = b.bestBidTicks, let ask = b.bestAskTicks else { return nil }
        return (info.price(ticks: bid), info.price(ticks: ask))
    }

    public func mid(symbol: String) -> Double? {
        guard let i = sim.universe.index(of: symbol) else { return nil }
        return sim.mid(i)
    }

    // MARK: Encoding

    private static let head: StaticString = "{\"symbol\":"
    private static let timeKey: StaticString = ",\"exchange\":\"sim\",\"event_time\":"
    private static let tradeIDKey: StaticString = ",\"trade_id\":"
    private static let priceKey: StaticString = ",\"price\":"
    private static let quantityKey: StaticString = ",\"quantity\":"
    private static let buySide: StaticString = ",\"side\":\"BUY\",\"taker\":true,\"order_id\":"
    private static let sellSide: StaticString = ",\"side\":\"SELL\",\"taker\":true,\"order_id\":"
    private static let eventIDKey: StaticString = ",\"event_id\":\"trade-"
    private static let intendedKey: StaticString = "\",\"intended_ns\":"

    private mutating func fill(_ i: Int, buy: Bool, lots: Int64, eventTimeMillis: Int64, orderID: Int64,
                               intendedNanos: Int64) -> GeneratedEvent {
        // Both sides are non-empty between calls (see `advance`), so the taker finds a touch; were one side ever
        // empty, the trade would go the other way rather than stop the run.
        var buy = buy
        var taken = sim.books[i].take(buy: buy, lots: lots, changes: &sim.changes)
        if taken == nil {
            buy.toggle()
            taken = sim.books[i].take(buy: buy, lots: lots, changes: &sim.changes)
        }
        guard let (ticks, filled) = taken else { preconditionFailure("both sides of the simulated book are empty") }
        tradeIDs[i] += 1
        let tradeID = tradeIDs[i]
        let info = sim.universe.infos[i]
        var eventID = ""
        let payload = PayloadWriter.build(capacity: 260 + 2 * info.symbolBytes.count) { w in
            w.raw(Self.head)
            w.raw(info.quotedSymbol)
            w.raw(Self.timeKey)
            w.int(eventTimeMillis)
            w.raw(Self.tradeIDKey)
            w.int(tradeID)
            w.raw(Self.priceKey)
            info.writePrice(ticks: ticks, to: &w)
            w.raw(Self.quantityKey)
            info.writeQuantity(lots: filled, to: &w)
            w.raw(buy ? Self.buySide : Self.sellSide)
            w.int(orderID)
            w.raw(Self.eventIDKey)
            let idStart = w.count - 6
            w.raw(info.symbolBytes)
            w.byte(UInt8(ascii: "-"))
            w.int(tradeID)
            eventID = w.string(from: idStart)
            w.raw(Self.intendedKey)
            w.int(intendedNanos)
            w.byte(UInt8(ascii: "}"))
        }
        return GeneratedEvent(subject: subjects[i], payload: payload, eventID: eventID, intendedNanos: intendedNanos)
    }
}
