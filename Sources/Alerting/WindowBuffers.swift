// Bounded, time-pruned buffers the detectors keep per key. They assume time never goes
// backwards; the engine clamps each key's event times to make that hold.

/// A FIFO double-ended queue over a power-of-two ring. Grows by doubling and shrinks when a
/// burst has drained, so a key's memory follows its current window, not its busiest moment.
struct Ring<Element> {
    private var buffer: [Element] = []
    private var head = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }
    /// Slots allocated, for the bounded-state checks.
    var capacity: Int { buffer.count }

    @inline(__always) private func slot(_ i: Int) -> Int { (head &+ i) & (buffer.count &- 1) }

    subscript(i: Int) -> Element {
        get { buffer[slot(i)] }
        set { buffer[slot(i)] = newValue }
    }

    var first: Element? { count == 0 ? nil : buffer[head] }
    var last: Element? { count == 0 ? nil : buffer[slot(count - 1)] }

    mutating func append(_ element: Element) {
        if count == buffer.count { resize(to: Swift.max(8, buffer.count * 2), filler: element) }
        buffer[slot(count)] = element
        count += 1
    }

    @discardableResult
    mutating func removeFirst() -> Element {
        precondition(count > 0, "removeFirst on an empty Ring")
        let e = buffer[head]
        head = (head &+ 1) & (buffer.count &- 1)
        count -= 1
        shrinkIfSparse()
        return e
    }

    @discardableResult
    mutating func removeLast() -> Element {
        precondition(count > 0, "removeLast on an empty Ring")
        let e = buffer[slot(count - 1)]
        count -= 1
        shrinkIfSparse()
        return e
    }

    mutating func removeAll() {
        buffer = []
        head = 0
        count = 0
    }

    /// Halves the storage once it is three-quarters empty; the gap between the grow and shrink
    /// points keeps a size oscillating around a boundary from reallocating on every call.
    private mutating func shrinkIfSparse() {
        guard buffer.count > 16, count * 4 < buffer.count else { return }
        if count == 0 { removeAll(); return }
        resize(to: buffer.count / 2, filler: buffer[head])
    }

    private mutating func resize(to newCapacity: Int, filler: Element) {
        var fresh: [Element] = []
        fresh.reserveCapacity(newCapacity)
        for i in 0..<count { fresh.append(self[i]) }
        // Unused slots need some value; they are never read before being written.
        fresh.append(contentsOf: repeatElement(filler, count: newCapacity - count))
        buffer = fresh
        head = 0
    }
}

extension Ring: Sendable where Element: Sendable {}

/// The maximum of the values seen in a trailing time window, plus how many samples it holds.
/// A monotonic deque: each value is pushed and popped at most once, so O(1) amortised.
struct SlidingMax: Sendable {
    private struct Entry: Sendable { var time: Int64; var value: Double }
    private var candidates = Ring<Entry>()
    private var times = Ring<Int64>()

    var sampleCount: Int { times.count }
    var maximum: Double? { candidates.first?.value }
    var bufferedEntries: Int { candidates.capacity + times.capacity }

    /// Drops samples older than `cutoff` (exclusive: a sample at exactly `cutoff` stays).
    mutating func expire(before cutoff: Int64) {
        while let t = times.first, t < cutoff { times.removeFirst() }
        while let c = candidates.first, c.time < cutoff { candidates.removeFirst() }
    }

    mutating func add(_ value: Double, at time: Int64) {
        // A newer, larger-or-equal value makes every older smaller one irrelevant to the maximum.
        while let c = candidates.last, c.value <= value { candidates.removeLast() }
        candidates.append(Entry(time: time, value: value))
        times.append(time)
    }
}

/// A binary min-heap of (key, sequence number) pairs; the sliding median keeps two of them.
struct MinHeap: Sendable {
    struct Entry: Sendable { var key: Double; var seq: Int }
    private(set) var entries: [Entry] = []

    var count: Int { entries.count }
    var top: Entry? { entries.first }

    mutating func push(_ e: Entry) {
        entries.append(e)
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard entries[i].key < entries[parent].key else { break }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    @discardableResult
    mutating func pop() -> Entry {
        let top = entries[0]
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            siftDown(0)
        }
        return top
    }

    /// Removes every entry matching `dead` and restores the heap in O(n).
    mutating func compact(removing dead: (Entry) -> Bool) {
        entries.removeAll(where: dead)
        var i = entries.count / 2 - 1
        while i >= 0 { siftDown(i); i -= 1 }
        // Give memory back after a burst: removeAll(where:) keeps the old capacity.
        if entries.capacity > 64 && entries.count * 4 < entries.capacity {
            entries = Array(entries)
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = entries.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < n && entries[l].key < entries[smallest].key { smallest = l }
            if r < n && entries[r].key < entries[smallest].key { smallest = r }
            if smallest == i { return }
            entries.swapAt(i, smallest)
            i = smallest
        }
    }
}

/// The median of the values in a trailing time window, O(log n) amortised per sample.
///
/// Two heaps split the live samples at the median (a max-heap stored as negated keys, and a
/// min-heap). Expired samples are deleted lazily: samples leave in arrival order, so an entry is
/// dead exactly when its sequence number is below the oldest live one, and dead entries are
/// dropped when they surface at a top or when a heap is compacted. Each sample's side is
/// recorded so that the live counts used for balancing stay exact.
struct SlidingMedian: Sendable {
    private var times = Ring<Int64>()
    /// true when the sample at the same position of `times` sits in `low`.
    private var inLow = Ring<Bool>()
    /// Sequence number of `times[0]`.
    private var firstSeq = 0
    private var low = MinHeap()   // keys are negated values: a max-heap of the lower half
    private var high = MinHeap()
    private var liveLow = 0
    private var liveHigh = 0

    var count: Int { times.count }
    var bufferedEntries: Int { times.capacity + inLow.capacity + low.entries.capacity + high.entries.capacity }

    var median: Double? {
        guard liveLow > 0, let l = low.top else { return nil }
        if (liveLow + liveHigh) % 2 == 1 { return -l.key }
        guard let h = high.top else { return -l.key }
        return (-l.key + h.key) / 2
    }

    mutating func expire(before cutoff: Int64) {
        var removed = false
        while let t = times.first, t < cutoff {
            times.removeFirst()
            if inLow.removeFirst() { liveLow -= 1 } else { liveHigh -= 1 }
            firstSeq += 1
            removed = true
        }
        if removed {
            rebalance()
            compactIfBloated()
        }
    }

    mutating func add(_ value: Double, at time: Int64) {
        let seq = firstSeq + times.count
        pruneTops()
        // Balancing keeps liveLow >= liveHigh, so an empty low half means an empty window.
        let goesLow = liveLow == 0 || value <= -(low.top?.key ?? .infinity)
        if goesLow {
            low.push(.init(key: -value, seq: seq))
            liveLow += 1
        } else {
            high.push(.init(key: value, seq: seq))
            liveHigh += 1
        }
        times.append(time)
        inLow.append(goesLow)
        rebalance()
    }

    private mutating func pruneTops() {
        while let t = low.top, t.seq < firstSeq { low.pop() }
        while let t = high.top, t.seq < firstSeq { high.pop() }
    }

    private mutating func rebalance() {
        pruneTops()
        while liveLow > liveHigh + 1 {
            let e = low.pop()
            high.push(.init(key: -e.key, seq: e.seq))
            inLow[e.seq - firstSeq] = false
            liveLow -= 1; liveHigh += 1
            pruneTops()
        }
        while liveHigh > liveLow {
            let e = high.pop()
            low.push(.init(key: -e.key, seq: e.seq))
            inLow[e.seq - firstSeq] = true
            liveHigh -= 1; liveLow += 1
            pruneTops()
        }
    }

    /// Dead entries buried under live ones never surface; rebuilding when they outnumber the
    /// live ones keeps each heap within about twice the window, at O(1) amortised cost.
    private mutating func compactIfBloated() {
        let first = firstSeq
        if low.count > 2 * liveLow + 32 { low.compact { $0.seq < first } }
        if high.count > 2 * liveHigh + 32 { high.compact { $0.seq < first } }
    }
}
