/// Which side of an order book a level rests on.
public enum BookSide: String, Sendable, Hashable {
    case bid
    case ask
}

/// One symbol's L2 book (price → quantity per side), kept sorted so the top N levels come out without sorting.
public struct OrderBook: Sendable, Equatable {
    private var bidLadder = Ladder()
    private var askLadder = Ladder()

    public init() {}

    /// Replaces both sides with the update's levels; zero quantities are dropped and a repeated price keeps its last entry.
    public mutating func apply(snapshot: L2Update) {
        bidLadder.replace(with: snapshot.bids, sign: 1)
        askLadder.replace(with: snapshot.asks, sign: -1)
    }

    /// Applies the update's levels in order: a quantity sets the level, 0 removes it.
    public mutating func apply(delta: L2Update) {
        for level in delta.bids { bidLadder.set(price: level.price, quantity: level.quantity, sign: 1) }
        for level in delta.asks { askLadder.set(price: level.price, quantity: level.quantity, sign: -1) }
    }

    /// Sets one level; 0 removes it.
    public mutating func set(_ side: BookSide, price: Double, quantity: Double) {
        switch side {
        case .bid: bidLadder.set(price: price, quantity: quantity, sign: 1)
        case .ask: askLadder.set(price: price, quantity: quantity, sign: -1)
        }
    }

    public mutating func removeAll() {
        bidLadder = Ladder()
        askLadder = Ladder()
    }

    /// The best `n` bids, highest price first.
    public func topBids(_ n: Int) -> [PriceLevel] { bidLadder.top(n, sign: 1) }

    /// The best `n` asks, lowest price first.
    public func topAsks(_ n: Int) -> [PriceLevel] { askLadder.top(n, sign: -1) }

    public func top(_ side: BookSide, _ n: Int) -> [PriceLevel] {
        side == .bid ? topBids(n) : topAsks(n)
    }

    /// Every level of a side, best first.
    public func levels(_ side: BookSide) -> [PriceLevel] { top(side, Int.max) }

    public var bestBid: PriceLevel? { bidLadder.top(1, sign: 1).first }
    public var bestAsk: PriceLevel? { askLadder.top(1, sign: -1).first }

    public func quantity(_ side: BookSide, at price: Double) -> Double {
        side == .bid ? bidLadder.quantity(key: price) : askLadder.quantity(key: -price)
    }

    public func levelCount(_ side: BookSide) -> Int {
        side == .bid ? bidLadder.keys.count : askLadder.keys.count
    }

    public var isEmpty: Bool { bidLadder.keys.isEmpty && askLadder.keys.isEmpty }

    /// True when the best bid is at or above the best ask. A locked book (equal prices) counts too:
    /// on a single venue those orders would have matched, so the book must have missed an update.
    public var isCrossed: Bool {
        guard let bid = bidLadder.keys.last, let negAsk = askLadder.keys.last else { return false }
        return bid >= -negAsk
    }
}

/// One side of a book. Levels are sorted worst-to-best so the best is last: most updates land at the touch,
/// and an array insert or removal near its end moves the fewest elements. Asks are keyed by negated price so
/// both sides share one ascending order and one search. Keys and quantities are separate arrays so the
/// binary search walks densely packed keys.
struct Ladder: Sendable, Equatable {
    var keys: [Double] = []
    var quantities: [Double] = []

    /// The first index whose key is >= `key`. Most updates land near the touch, at the end of the array,
    /// so the search gallops back from the end (1, 2, 4, ... levels) before bisecting: O(log distance from best).
    @inline(__always)
    func lowerBound(_ key: Double) -> Int {
        var hi = keys.count
        var step = 1
        var lo = hi
        while lo > 0 {
            let probe = Swift.max(hi - step, 0)
            if keys[probe] < key {
                lo = probe + 1
                break
            }
            hi = probe
            lo = probe
            step &<<= 1
        }
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            if keys[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    mutating func set(price: Double, quantity: Double, sign: Double) {
        // Non-finite or non-positive prices would break the ordering every search relies on; the decoder never produces them.
        guard price.isFinite, price > 0, quantity.isFinite else { return }
        let key = sign * price
        let idx = lowerBound(key)
        if idx < keys.count, keys[idx] == key {
            if quantity > 0 {
                quantities[idx] = quantity
            } else {
                keys.remove(at: idx)
                quantities.remove(at: idx)
            }
        } else if quantity > 0 {
            keys.insert(key, at: idx)
            quantities.insert(quantity, at: idx)
        }
    }

    func quantity(key: Double) -> Double {
        let idx = lowerBound(key)
        return idx < keys.count && keys[idx] == key ? quantities[idx] : 0
    }

    mutating func replace(with levels: [PriceLevel], sign: Double) {
        var entries: [(key: Double, quantity: Double)] = []
        entries.reserveCapacity(levels.count)
        for level in levels where level.price.isFinite && level.price > 0 && level.quantity.isFinite {
            entries.append((sign * level.price, level.quantity))
        }
        // The standard library's sort is documented stable, so within a repeated price the last entry stays
        // last and wins, exactly as applying the levels in order would.
        entries.sort { $0.key < $1.key }
        keys.removeAll(keepingCapacity: true)
        quantities.removeAll(keepingCapacity: true)
        keys.reserveCapacity(entries.count)
        quantities.reserveCapacity(entries.count)
        var k = 0
        while k < entries.count {
            var last = k
            while last + 1 < entries.count, entries[last + 1].key == entries[k].key { last += 1 }
            if entries[last].quantity > 0 {
                keys.append(entries[last].key)
                quantities.append(entries[last].quantity)
            }
            k = last + 1
        }
    }

    func top(_ n: Int, sign: Double) -> [PriceLevel] {
        let count = Swift.min(Swift.max(n, 0), keys.count)
        var out: [PriceLevel] = []
        out.reserveCapacity(count)
        var idx = keys.count - 1
        for _ in 0..<count {
            out.append(PriceLevel(price: sign * keys[idx], quantity: quantities[idx]))
            idx -= 1
        }
        return out
    }
}
