import LoadSource
import RiskSignalCore

/// Raw L2 order-book diffs on `market.l2raw.<symbol>` from a per-symbol book simulation over Zipf-popular symbols:
/// a snapshot first per symbol (and every `snapshotEvery` deltas), then contiguous deltas that never cross the book.
public struct L2Generator: EventGenerator {
    /// The L2 generator's settings; every field has the default listed in the table atop `GeneratorSpec.swift`.
    public struct Parameters: Sendable, Equatable {
        /// Symbols, most popular first; nil: `symbolCount` default symbols (BTC-USDT, ETH-USDT… then SYM011-USDT…).
        public var symbols: [String]?
        public var symbolCount: Int
        /// Popularity of the rank-r symbol ∝ r^-zipfExponent.
        public var zipfExponent: Double
        /// Levels per side kept in the book and sent in snapshots.
        public var depth: Int
        /// Chance of a level change at distance i from the touch ∝ touchDecay^i.
        public var touchDecay: Double
        /// Each exchange update changes 1...maxLevelChanges levels.
        public var maxLevelChanges: Int
        /// Deltas between two snapshots of one symbol.
        public var snapshotEvery: Int
        /// Standard deviation of the log mid per exchange update.
        public var volatility: Double
        /// Chance per exchange update of a price jump.
        public var jumpProbability: Double
        /// Median relative size of a jump (lognormal).
        public var jumpSize: Double
        /// Median notional (quote currency) at the touch of the most popular symbol; less for the others.
        public var touchNotional: Double
        /// Median level size grows by this fraction per level away from the touch.
        public var levelGrowth: Double
        /// Lognormal sigma of level sizes.
        public var sizeSigma: Double
        /// Levels per side a liquidity drop thins.
        public var injectionLevels: Int

        public init(symbols: [String]? = nil, symbolCount: Int = 50, zipfExponent: Double = 1.1, depth: Int = 50,
                    touchDecay: Double = 0.8, maxLevelChanges: Int = 3, snapshotEvery: Int = 10_000,
                    volatility: Double = 2e-5, jumpProbability: Double = 0.0005, jumpSize: Double = 0.002,
                    touchNotional: Double = 5_000, levelGrowth: Double = 0.08, sizeSigma: Double = 0.8,
                    injectionLevels: Int = 10) {
            self.symbols = symbols
            self.symbolCount = symbolCount
            self.zipfExponent = zipfExponent
            self.depth = depth
            self.touchDecay = touchDecay
            self.maxLevelChanges = maxLevelChanges
            self.snapshotEvery = snapshotEvery
            self.volatility = volatility
            self.jumpProbability = jumpProbability
            self.jumpSize = jumpSize
            self.touchNotional = touchNotional
            self.levelGrowth = levelGrowth
            self.sizeSigma = sizeSigma
            self.injectionLevels = injectionLevels
        }

        func validated() throws(GeneratorParameterError) -> (SymbolUniverse, BookDynamics) {
            if let symbols { try ParameterCheck.symbols(symbols, "symbols") } else { try ParameterCheck.range(symbolCount, 1...999, "symbolCount") }
            try ParameterCheck.range(zipfExponent, 0...5, "zipfExponent")
            try ParameterCheck.range(depth, 2...5_000, "depth")
            try ParameterCheck.fraction(touchDecay, "touchDecay", open: true)
            try ParameterCheck.range(maxLevelChanges, 1...100, "maxLevelChanges")
            try ParameterCheck.range(snapshotEvery, 1...Int.max, "snapshotEvery")
            try ParameterCheck.range(volatility, 0...0.05, "volatility")
            try ParameterCheck.fraction(jumpProbability, "jumpProbability")
            try ParameterCheck.range(jumpSize, 0...0.5, "jumpSize")
            try ParameterCheck.range(touchNotional, 1e-6...1e12, "touchNotional")  // bounded: sizes become Int64 lots
            try ParameterCheck.range(levelGrowth, 0...10, "levelGrowth")
            try ParameterCheck.range(sizeSigma, 0...3, "sizeSigma")
            try ParameterCheck.range(injectionLevels, 1...5_000, "injectionLevels")
            let universe = SymbolUniverse(names: symbols ?? SymbolUniverse.defaultSymbols(count: symbolCount))
            let dynamics = BookDynamics(
                depth: depth, touchDecay: touchDecay, maxLevelChanges: maxLevelChanges, volatility: volatility,
                jumpProbability: jumpProbability, jumpMedian: jumpSize, jumpSigma: 0.5, touchNotional: touchNotional,
                levelGrowth: levelGrowth, sizeSigma: sizeSigma, injectionLevels: injectionLevels)
            return (universe, dynamics)
        }
    }

    public let kind = FeedKind.l2
    public var feeds: [FeedKind] { [kind] }
    public let parameters: Parameters
    var sim: BookSimulator
    let subjects: [String]

    public init(_ parameters: Parameters = Parameters(), seed: UInt64, idSalt: UInt64 = 0) throws(GeneratorParameterError) {
        self.parameters = parameters
        let (universe, dynamics) = try parameters.validated()
        sim = BookSimulator(universe: universe, dynamics: dynamics, zipfExponent: parameters.zipfExponent, seed: seed, idSalt: idSalt)
        subjects = universe.names.map { FeedKind.l2.subjectPrefix + $0 }
    }

    /// The symbols, most popular first.
    public var symbols: [String] { sim.universe.names }

    public mutating func next(at intendedNanos: Int64) -> GeneratedEvent {
        let i = sim.popularity.sample(&sim.draw)
        sim.changes.removeAll(keepingCapacity: true)
        let first: Int64, last: Int64
        let snapshot: Bool
        if !sim.books[i].snapshotSent || sim.books[i].sinceSnapshot >= parameters.snapshotEvery {
            if sim.books[i].snapshotSent {
                // A resync snapshot reflects one more exchange update, so it has an id of its own.
                sim.update(i, now: intendedNanos)
                sim.books[i].updateID += 1
            }
            sim.books[i].snapshotSent = true
            sim.books[i].sinceSnapshot = 0
            first = sim.books[i].updateID
            last = first
            snapshot = true
        } else {
            // 1–3 exchange updates folded into one message: last_update_id − first_update_id is their number.
            let n = 1 + sim.draw.below(3)
            for _ in 0..<n { sim.update(i, now: intendedNanos) }
            first = sim.books[i].updateID + 1
            last = first + Int64(n)
            sim.books[i].updateID = last
            sim.books[i].sinceSnapshot += 1
            snapshot = false
        }
        return encode(i, snapshot: snapshot, first: first, last: last, intendedNanos: intendedNanos)
    }

    public mutating func inject(_ injection: Injection, at intendedNanos: Int64) {
        sim.inject(injection, at: intendedNanos)
    }

    /// The simulated book of `symbol` now, best level first on each side, as (price, quantity).
    public func bookSnapshot(symbol: String) -> (bids: [(Double, Double)], asks: [(Double, Double)]) {
        guard let i = sim.universe.index(of: symbol) else { return ([], []) }
        return sim.snapshot(i)
    }

    /// The mid price of `symbol`'s book (nil for an unknown symbol).
    public func mid(symbol: String) -> Double? {
        guard let i = sim.universe.index(of: symbol) else { return nil }
        return sim.mid(i)
    }

    // MARK: Encoding

    private static let head: StaticString = "{\"symbol\":"
    private static let deltaType: StaticString = ",\"exchange\":\"sim\",\"type\":\"delta\",\"event_time\":"
    private static let snapshotType: StaticString = ",\"exchange\":\"sim\",\"type\":\"snapshot\",\"event_time\":"
    private static let firstKey: StaticString = ",\"first_update_id\":"
    private static let lastKey: StaticString = ",\"last_update_id\":"
    private static let bidsKey: StaticString = ",\"bids\":["
    private static let asksKey: StaticString = "],\"asks\":["
    private static let eventIDKey: StaticString = "],\"event_id\":\"l2-"
    private static let intendedKey: StaticString = "\",\"intended_ns\":"

    private func encode(_ i: Int, snapshot: Bool, first: Int64, last: Int64, intendedNanos: Int64) -> GeneratedEvent {
        let info = sim.universe.infos[i]
        let book = sim.books[i]
        let levels = snapshot ? book.bids.count + book.asks.count : sim.changes.count
        var eventID = ""
        // Bound: fixed text ~190 bytes, three integers of ≤ 20 digits, the symbol twice, ≤ 46 bytes per level.
        let payload = PayloadWriter.build(capacity: 256 + 2 * info.symbolBytes.count + levels * 48) { w in
            w.raw(Self.head)
            w.raw(info.quotedSymbol)
            w.raw(snapshot ? Self.snapshotType : Self.deltaType)
            w.int(intendedNanos / 1_000_000)
            w.raw(Self.firstKey)
            w.int(first)
            w.raw(Self.lastKey)
            w.int(last)
            w.raw(Self.bidsKey)
            var comma = false
            if snapshot {
                for level in book.bids { Self.level(&w, info, -level.key, level.lots, &comma) }
            } else {
                for c in sim.changes where c.isBid { Self.level(&w, info, c.ticks, c.lots, &comma) }
            }
            w.raw(Self.asksKey)
            comma = false
            if snapshot {
                for level in book.asks { Self.level(&w, info, level.key, level.lots, &comma) }
            } else {
                for c in sim.changes where !c.isBid { Self.level(&w, info, c.ticks, c.lots, &comma) }
            }
            w.raw(Self.eventIDKey)
            let idStart = w.count - 3
            w.raw(info.symbolBytes)
            w.byte(UInt8(ascii: "-"))
            w.int(last)
            eventID = w.string(from: idStart)
            w.raw(Self.intendedKey)
            w.int(intendedNanos)
            w.byte(UInt8(ascii: "}"))
        }
        return GeneratedEvent(subject: subjects[i], payload: payload, eventID: eventID, intendedNanos: intendedNanos)
    }

    @inline(__always)
    private static func level(_ w: inout PayloadWriter, _ info: SymbolInfo, _ ticks: Int64, _ lots: Int64, _ comma: inout Bool) {
        if comma { w.byte(UInt8(ascii: ",")) }
        comma = true
        w.byte(UInt8(ascii: "["))
        info.writePrice(ticks: ticks, to: &w)
        w.byte(UInt8(ascii: ","))
        info.writeQuantity(lots: lots, to: &w)
        w.byte(UInt8(ascii: "]"))
    }
}
