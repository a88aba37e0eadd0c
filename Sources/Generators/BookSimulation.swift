import LoadSource
import RiskSignalCore

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// One price level. `key` orders levels from the touch outwards on both sides: the price in ticks for asks,
/// minus the price in ticks for bids, so one set of code walks either side.
struct BookLevel: Sendable, Equatable {
    var key: Int64
    var lots: Int64
}

/// One level change of a delta: lots 0 removes the level.
struct BookChange: Sendable, Equatable {
    var isBid: Bool
    var ticks: Int64
    var lots: Int64
}

/// How the order-book simulation behaves (shared by the L2 and trade generators).
struct BookDynamics: Sendable, Equatable {
    var depth: Int
    var touchDecay: Double
    var maxLevelChanges: Int
    /// Standard deviation of the log fair price per exchange update.
    var volatility: Double
    var jumpProbability: Double
    /// Median relative size of a jump (0.002 = 0.2 %), drawn lognormally with `jumpSigma`.
    var jumpMedian: Double
    var jumpSigma: Double
    /// Median notional of the level at the touch, in quote currency, for the most popular symbol.
    var touchNotional: Double
    /// Level sizes grow linearly away from the touch: level i has median size × (1 + levelGrowth·i).
    var levelGrowth: Double
    var sizeSigma: Double
    /// How many levels per side a liquidity drop thins.
    var injectionLevels: Int
}

/// One symbol's simulated book: a fair price doing a random walk with jumps, and levels that are re-sized,
/// removed and added, mostly near the touch. By construction bids stay at or below ⌈fair⌉ − 1 and asks at or above
/// ⌊fair⌋ + 1, which never meet, so the book cannot cross; levels the fair price moves through are removed in the
/// same update.
struct SimulatedBook: Sendable {
    var bids: [BookLevel] = []
    var asks: [BookLevel] = []
    /// The fair price in ticks.
    var fair: Double
    /// Median lots at the touch.
    var touchLots: Double
    /// Smoothed spread in ticks: what a spread blowout multiplies.
    var typicalSpread: Double = 2

    // Sequence state of the exchange feed this book stands for (used by the L2 generator).
    var updateID: Int64
    var sinceSnapshot = 0
    var snapshotSent = false

    // Injections.
    var thinUntil: Int64 = .min
    var thinFactor: Double = 1
    var dropStepsLeft = 0
    var dropFactor: Double = 1
    var blowoutUntil: Int64 = .min
    var blowoutHalfTicks: Double = 0

    init(info: SymbolInfo, popularityRank: Int, dynamics: BookDynamics, fast: FastDraws, draw: inout Draw) {
        fair = info.initialPrice / info.tickSize
        // Deeper books for popular symbols: touch notional falls with rank like liquidity does across listings.
        let notional = dynamics.touchNotional / Double(popularityRank + 1).squareRoot()
        touchLots = max(1, notional / info.initialPrice / info.lotSize)
        updateID = draw.idBase()
        let sizer = LevelSizer(touchLots: touchLots, thinUntil: .min, thinFactor: 1, fast: fast)
        var key = Int64(fair.rounded(.up)) - 1
        for i in 0..<dynamics.depth where key >= 1 {
            bids.append(BookLevel(key: -key, lots: sizer.lots(level: i, now: .min, dynamics: dynamics, draw: &draw)))
            key -= Self.gap(&draw)
        }
        key = Int64(fair.rounded(.down)) + 1
        for i in 0..<dynamics.depth {
            asks.append(BookLevel(key: key, lots: sizer.lots(level: i, now: .min, dynamics: dynamics, draw: &draw)))
            key += Self.gap(&draw)
        }
    }

    /// Ticks between neighbouring levels: mostly adjacent, sometimes a hole (which later inserts can fill).
    @inline(__always) static func gap(_ draw: inout Draw) -> Int64 {
        let u = draw.uniform()
        return u < 0.6 ? 1 : (u < 0.85 ? 2 : 3)
    }

    /// What sizes new and re-sized levels, split out so it can be read while a side is being modified.
    func sizer(_ fast: FastDraws) -> LevelSizer {
        LevelSizer(touchLots: touchLots, thinUntil: thinUntil, thinFactor: thinFactor, fast: fast)
    }

    var bestBidTicks: Int64? { bids.first.map { -$0.key } }
    var bestAskTicks: Int64? { asks.first.map { $0.key } }

    // MARK: Simulation

    /// One exchange-side update: the fair price moves, crossed levels go, the touch may refill, and 1…k levels
    /// change. Every change is appended to `changes`, netted per price so a delta lists each level once.
    mutating func update(now: Int64, dynamics d: BookDynamics, fast: FastDraws, draw: inout Draw, changes: inout [BookChange]) {
        // exp(x) to second order: x is ~1e-5, so the error is far below a tick.
        let x = d.volatility * fast.normal(&draw)
        var f = fair * (1 + x * (1 + 0.5 * x))
        if d.jumpProbability > 0, draw.uniform() < d.jumpProbability {
            let size = d.jumpMedian * exp(d.jumpSigma * draw.normal())
            f *= (draw.next() & 1 == 0) ? exp(size) : exp(-size)
        }
        // A few ticks above zero at least, so every bid price stays positive.
        fair = max(f, 8)

        let sizer = self.sizer(fast)
        let h = now < blowoutUntil ? blowoutHalfTicks : 0
        let bidMax = Int64((fair - h).rounded(.up)) - 1
        let askMin = Int64((fair + h).rounded(.down)) + 1

        // Levels the fair price (or a blown-out spread) moved through are gone in this same update.
        var k = 0
        while k < bids.count, -bids[k].key > bidMax { k += 1 }
        if k > 0 {
            for j in 0..<k { Self.record(&changes, isBid: true, ticks: -bids[j].key, lots: 0) }
            bids.removeFirst(k)
        }
        k = 0
        while k < asks.count, asks[k].key < askMin { k += 1 }
        if k > 0 {
            for j in 0..<k { Self.record(&changes, isBid: false, ticks: asks[j].key, lots: 0) }
            asks.removeFirst(k)
        }

        // Market makers step in at the bound when the touch is behind it.
        if bidMax >= 1, bids.isEmpty || (-bids[0].key < bidMax && draw.uniform() < 0.5) {
            let lots = sizer.lots(level: 0, now: now, dynamics: d, draw: &draw)
            bids.insert(BookLevel(key: -bidMax, lots: lots), at: 0)
            Self.record(&changes, isBid: true, ticks: bidMax, lots: lots)
        }
        if asks.isEmpty || (asks[0].key > askMin && draw.uniform() < 0.5) {
            let lots = sizer.lots(level: 0, now: now, dynamics: d, draw: &draw)
            asks.insert(BookLevel(key: askMin, lots: lots), at: 0)
            Self.record(&changes, isBid: false, ticks: askMin, lots: lots)
        }

        // Makers quote densely near the touch: a hole there (left by a price move) is filled within a few updates.
        Self.densify(&bids, isBid: true, sizer: sizer, now: now, dynamics: d, draw: &draw, changes: &changes)
        Self.densify(&asks, isBid: false, sizer: sizer, now: now, dynamics: d, draw: &draw, changes: &changes)

        let n = 1 + draw.below(d.maxLevelChanges)
        for _ in 0..<n {
            if draw.next() & 1 == 0 {
                Self.changeLevel(&bids, isBid: true, sizer: sizer, now: now, dynamics: d, draw: &draw, changes: &changes)
            } else {
                Self.changeLevel(&asks, isBid: false, sizer: sizer, now: now, dynamics: d, draw: &draw, changes: &changes)
            }
        }
        Self.keepDepth(&bids, isBid: true, sizer: sizer, now: now, dynamics: d, draw: &draw, changes: &changes)
        Self.keepDepth(&asks, isBid: false, sizer: sizer, now: now, dynamics: d, draw: &draw, changes: &changes)

        if dropStepsLeft > 0 {
            liquidityDropStep(dynamics: d, changes: &changes)
        } else if now < thinUntil {
            // While a liquidity drop lasts, size that drifts into the top levels is pulled again.
            Self.keepThin(&bids, isBid: true, sizer: sizer, now: now, dynamics: d, draw: &draw, changes: &changes)
            Self.keepThin(&asks, isBid: false, sizer: sizer, now: now, dynamics: d, draw: &draw, changes: &changes)
        }

        if let b = bids.first, let a = asks.first {
            // Capped, so a jump's momentary gap does not inflate what a spread blowout multiplies.
            typicalSpread += 0.01 * (min(Double(a.key + b.key), 8) - typicalSpread)
        }
    }

    /// Re-sizes, removes or adds one level, picked with probability decaying geometrically from the touch.
    @inline(__always)
    static func changeLevel(_ side: inout [BookLevel], isBid: Bool, sizer: LevelSizer, now: Int64,
                            dynamics d: BookDynamics, draw: inout Draw, changes: inout [BookChange]) {
        guard !side.isEmpty else { return }
        var i = sizer.fast.geometric(&draw)
        if i >= side.count { i = draw.below(side.count) }
        let u = draw.uniform()
        if u < 0.2, side.count > 2 {
            let removed = side.remove(at: i)
            record(&changes, isBid: isBid, ticks: isBid ? -removed.key : removed.key, lots: 0)
            return
        }
        if u >= 0.8 {
            // A new level in a hole next to level i, or beyond the last one.
            var key: Int64?
            var at = i + 1
            if i + 1 < side.count, side[i + 1].key - side[i].key > 1 {
                key = side[i].key + 1 + Int64(draw.below(Int(side[i + 1].key - side[i].key - 1)))
            } else if side.count < d.depth {
                key = side[side.count - 1].key + gap(&draw)
                at = side.count
            }
            if let key, !isBid || key < 0 {
                let lots = sizer.lots(level: at, now: now, dynamics: d, draw: &draw)
                side.insert(BookLevel(key: key, lots: lots), at: at)
                record(&changes, isBid: isBid, ticks: isBid ? -key : key, lots: lots)
                return
            }
        }
        let lots = sizer.lots(level: i, now: now, dynamics: d, draw: &draw)
        side[i].lots = lots
        record(&changes, isBid: isBid, ticks: isBid ? -side[i].key : side[i].key, lots: lots)
    }

    /// Fills holes wider than 3 ticks among the top five levels, one level per hole per update.
    @inline(__always)
    static func densify(_ side: inout [BookLevel], isBid: Bool, sizer: LevelSizer, now: Int64,
                        dynamics d: BookDynamics, draw: inout Draw, changes: inout [BookChange]) {
        var i = 0
        while i < 5, i + 1 < side.count, side.count < d.depth + 2 {
            let gap = side[i + 1].key - side[i].key
            if gap > 3 {
                let key = side[i].key + 1 + Int64(draw.below(3))
                let lots = sizer.lots(level: i + 1, now: now, dynamics: d, draw: &draw)
                side.insert(BookLevel(key: key, lots: lots), at: i + 1)
                record(&changes, isBid: isBid, ticks: isBid ? -key : key, lots: lots)
                i += 1
            }
            i += 1
        }
    }

    /// Re-sizes top levels that are more than twice their thinned median (only while a liquidity drop lasts).
    static func keepThin(_ side: inout [BookLevel], isBid: Bool, sizer: LevelSizer, now: Int64,
                         dynamics d: BookDynamics, draw: inout Draw, changes: inout [BookChange]) {
        for i in 0..<min(d.injectionLevels, side.count) {
            let cap = 2 * sizer.touchLots * (1 + d.levelGrowth * Double(i)) * sizer.thinFactor
            if Double(side[i].lots) > cap {
                side[i].lots = min(side[i].lots, sizer.lots(level: i, now: now, dynamics: d, draw: &draw))
                record(&changes, isBid: isBid, ticks: isBid ? -side[i].key : side[i].key, lots: side[i].lots)
            }
        }
    }

    /// Keeps about `depth` levels per side: the deepest goes when there are too many, a deeper one appears when
    /// removals have thinned the ladder.
    @inline(__always)
    static func keepDepth(_ side: inout [BookLevel], isBid: Bool, sizer: LevelSizer, now: Int64,
                          dynamics d: BookDynamics, draw: inout Draw, changes: inout [BookChange]) {
        while side.count > d.depth {
            let removed = side.removeLast()
            record(&changes, isBid: isBid, ticks: isBid ? -removed.key : removed.key, lots: 0)
        }
        if side.count < d.depth - 2, let last = side.last {
            let key = last.key + gap(&draw)
            if !isBid || key < 0 {
                let lots = sizer.lots(level: side.count, now: now, dynamics: d, draw: &draw)
                side.append(BookLevel(key: key, lots: lots))
                record(&changes, isBid: isBid, ticks: isBid ? -key : key, lots: lots)
            }
        }
    }

    /// Appends a change, replacing an earlier change of the same price in this delta.
    @inline(__always) static func record(_ changes: inout [BookChange], isBid: Bool, ticks: Int64, lots: Int64) {
        for j in changes.indices where changes[j].ticks == ticks && changes[j].isBid == isBid {
            changes[j].lots = lots
            return
        }
        changes.append(BookChange(isBid: isBid, ticks: ticks, lots: lots))
    }

    // MARK: Injections

    /// Starts thinning the top levels: a third of them is cut on each of the next three updates.
    mutating func startLiquidityDrop(fraction: Double, until: Int64) {
        let f = min(max(fraction, 0), 0.999)
        dropFactor = 1 - f
        thinFactor = 1 - f
        thinUntil = until
        dropStepsLeft = 3
    }

    private mutating func liquidityDropStep(dynamics d: BookDynamics, changes: inout [BookChange]) {
        let phase = 3 - dropStepsLeft
        dropStepsLeft -= 1
        for j in stride(from: phase, to: min(d.injectionLevels, bids.count), by: 3) {
            bids[j].lots = max(1, Int64(Double(bids[j].lots) * dropFactor))
            Self.record(&changes, isBid: true, ticks: -bids[j].key, lots: bids[j].lots)
        }
        for j in stride(from: phase, to: min(d.injectionLevels, asks.count), by: 3) {
            asks[j].lots = max(1, Int64(Double(asks[j].lots) * dropFactor))
            Self.record(&changes, isBid: false, ticks: asks[j].key, lots: asks[j].lots)
        }
    }

    /// Widens the spread `factor`× its recent typical width until `until`; the next update removes the levels
    /// inside the new bounds.
    mutating func startSpreadBlowout(factor: Double, until: Int64) {
        // At most half the price wide, so both sides keep positive prices to quote at.
        blowoutHalfTicks = min(max(0, factor - 1) * max(typicalSpread, 1) / 2, fair / 4)
        blowoutUntil = until
    }

    // MARK: Trading

    /// Takes up to `lots` from the touch of the side a taker hits (asks for a buy); returns the price in ticks and
    /// the lots filled, or nil when that side is empty.
    mutating func take(buy: Bool, lots: Int64, changes: inout [BookChange]) -> (ticks: Int64, lots: Int64)? {
        if buy {
            guard let top = asks.first else { return nil }
            let fill = min(lots, top.lots)
            if fill == top.lots { asks.removeFirst() } else { asks[0].lots -= fill }
            Self.record(&changes, isBid: false, ticks: top.key, lots: top.lots - fill)
            return (top.key, fill)
        } else {
            guard let top = bids.first else { return nil }
            let fill = min(lots, top.lots)
            if fill == top.lots { bids.removeFirst() } else { bids[0].lots -= fill }
            Self.record(&changes, isBid: true, ticks: -top.key, lots: top.lots - fill)
            return (-top.key, fill)
        }
    }
}

/// Draws level sizes: lognormal around a median that grows away from the touch, thinner during a liquidity drop.
struct LevelSizer: Sendable {
    var touchLots: Double
    var thinUntil: Int64
    var thinFactor: Double

    let fast: FastDraws

    @inline(__always) func lots(level i: Int, now: Int64, dynamics: BookDynamics, draw: inout Draw) -> Int64 {
        var median = touchLots * (1 + dynamics.levelGrowth * Double(i))
        if now < thinUntil, i < dynamics.injectionLevels { median *= thinFactor }
        let lots = median * fast.logNormal(&draw)
        return lots < 1 ? 1 : (lots > 1e15 ? 1_000_000_000_000_000 : Int64(lots))
    }
}

/// Many symbols' books and the draws that drive them: the part of the L2 and trade generators they share.
struct BookSimulator: Sendable {
    let universe: SymbolUniverse
    let dynamics: BookDynamics
    let popularity: ZipfSampler
    var books: [SimulatedBook]
    var draw: Draw
    /// Changes of the update in progress, reused so deltas do not allocate.
    var changes: [BookChange] = []
    let fast: FastDraws

    init(universe: SymbolUniverse, dynamics: BookDynamics, zipfExponent: Double, seed: UInt64, idSalt: UInt64 = 0) {
        self.universe = universe
        self.dynamics = dynamics
        let fast = FastDraws(sizeSigma: dynamics.sizeSigma, touchDecay: dynamics.touchDecay)
        self.fast = fast
        popularity = ZipfSampler(count: universe.count, exponent: zipfExponent)
        var draw = Draw(seed: seed, idSalt: idSalt)
        books = universe.infos.enumerated().map { i, info in
            SimulatedBook(info: info, popularityRank: i, dynamics: dynamics, fast: fast, draw: &draw)
        }
        self.draw = draw
        changes.reserveCapacity(64)
    }

    mutating func update(_ i: Int, now: Int64) {
        books[i].update(now: now, dynamics: dynamics, fast: fast, draw: &draw, changes: &changes)
    }

    func snapshot(_ i: Int) -> (bids: [(Double, Double)], asks: [(Double, Double)]) {
        let info = universe.infos[i]
        let b = books[i]
        return (b.bids.map { (info.price(ticks: -$0.key), info.quantity(lots: $0.lots)) },
                b.asks.map { (info.price(ticks: $0.key), info.quantity(lots: $0.lots)) })
    }

    func mid(_ i: Int) -> Double? {
        let b = books[i]
        guard let bid = b.bestBidTicks, let ask = b.bestAskTicks else { return nil }
        let info = universe.infos[i]
        return (info.price(ticks: bid) + info.price(ticks: ask)) / 2
    }

    /// Applies a book injection (liquidity drop, spread blowout) to its symbol; other kinds are ignored.
    mutating func inject(_ injection: Injection, at nanos: Int64) {
        guard injection.magnitude.isFinite, injection.magnitude > 0, let i = universe.index(of: injection.target) else { return }
        let until = nanos &+ injection.duration.totalNanoseconds
        switch injection.kind {
        case .liquidityDrop: books[i].startLiquidityDrop(fraction: injection.magnitude, until: until)
        case .spreadBlowout: books[i].startSpreadBlowout(factor: injection.magnitude, until: until)
        case .orderVelocity, .socialBuzz: break
        }
    }
}
