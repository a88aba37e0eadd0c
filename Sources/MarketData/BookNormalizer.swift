import RiskSignalCore

/// Settings of a `BookNormalizer`: how many levels a snapshot row carries, the aggregation window, and when a window re-emits the top of book.
public struct NormalizerConfig: Sendable, Hashable {
    /// Levels per side in every top-of-book list.
    public var topN: Int
    /// Length of the event-time windows that deltas are folded into.
    public var window: Duration
    /// 0: a window carries a fresh top-N snapshot whenever the top-N levels changed. Above 0: only when the best bid
    /// or best ask price moved, or either side's total top-N quantity changed, by at least this fraction (0.0005 = 5 bps).
    public var snapshotThreshold: Double

    public init(topN: Int = 10, window: Duration = .milliseconds(100), snapshotThreshold: Double = 0) {
        self.topN = topN
        self.window = window
        self.snapshotThreshold = snapshotThreshold
    }
}

/// Why a `NormalizerConfig` was refused: the setting and the accepted range.
public struct NormalizerConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// Sequence state of one symbol's book.
public enum BookStatus: String, Sendable, Hashable {
    /// No trustworthy book: deltas are skipped until a snapshot arrives.
    case awaitingSnapshot
    /// Built from a snapshot plus contiguous deltas.
    case live
}

/// Why an input produced no output row, so its bus message can be acknowledged right away.
public enum IgnoreReason: String, Sendable, Hashable {
    /// Its `last_update_id` was at or below the book's: already covered.
    case stale
    /// The book is waiting for a snapshot after a gap, a crossed book, or since start-up.
    case awaitingSnapshot
    /// It revealed missing updates; the book now awaits a snapshot.
    case gap
    /// Applying it crossed the book; the book now awaits a snapshot.
    case crossed
    /// It had been folded into an open window that a gap or crossed book then threw away.
    case discardedByResync
}

/// Tallies of what a `BookNormalizer` did, for one symbol or summed over all.
public struct NormalizerCounters: Sendable, Hashable {
    /// Every input, whatever became of it.
    public var updates = 0
    public var gaps = 0
    public var stale = 0
    /// Deltas skipped because the book was awaiting a snapshot.
    public var skippedWhileResyncing = 0
    public var crossedBooks = 0
    public var windowsEmitted = 0
    /// Outputs produced by snapshot inputs.
    public var snapshotsEmitted = 0
    /// Emitted windows whose `snapshotEmitted` was true.
    public var windowsWithTopN = 0
    /// Inputs already folded into a window when a gap or crossed book discarded it.
    public var discardedByResync = 0

    public init() {}

    public static func + (a: NormalizerCounters, b: NormalizerCounters) -> NormalizerCounters {
        var s = a
        s.updates += b.updates
        s.gaps += b.gaps
        s.stale += b.stale
        s.skippedWhileResyncing += b.skippedWhileResyncing
        s.crossedBooks += b.crossedBooks
        s.windowsEmitted += b.windowsEmitted
        s.snapshotsEmitted += b.snapshotsEmitted
        s.windowsWithTopN += b.windowsWithTopN
        s.discardedByResync += b.discardedByResync
        return s
    }
}

/// One closed window of a symbol's deltas, or one applied snapshot, ready to store and publish on `market.l2.<symbol>`.
///
/// Key stored rows by (symbol, kind, firstUpdateId), not by window start: a snapshot splits the window it lands in,
/// and an input arriving after its slot was flushed opens a second window for that slot, since rewriting an
/// emitted row is not possible.
public struct WindowOutput: Sendable, Hashable {
    public var symbol: String
    public var exchange: String
    /// `.snapshot` for the output of a snapshot input, `.delta` for a window of deltas.
    public var kind: L2UpdateKind
    public var windowStartNanos: Int64
    public var windowEndNanos: Int64
    /// Net change per touched level (its last quantity in the window; 0 = removed), highest price first.
    public var deltaBids: [PriceLevel]
    /// Net change per touched level, lowest price first.
    public var deltaAsks: [PriceLevel]
    /// Top N of the book as of the end of the window.
    public var topBids: [PriceLevel]
    public var topAsks: [PriceLevel]
    /// Whether the top N moved enough under `snapshotThreshold` to be worth storing as a snapshot row.
    public var snapshotEmitted: Bool
    public var updateCount: Int
    public var firstUpdateId: Int64
    public var lastUpdateId: Int64
    public var minEventTimeNanos: Int64
    public var maxEventTimeNanos: Int64
    public var maxIntendedNanos: Int64?
    /// The `ingest` tags of the inputs folded in, in arrival order: ack their bus messages once this output is stored.
    public var tags: [UInt64]

    public init(
        symbol: String, exchange: String, kind: L2UpdateKind, windowStartNanos: Int64, windowEndNanos: Int64,
        deltaBids: [PriceLevel], deltaAsks: [PriceLevel], topBids: [PriceLevel], topAsks: [PriceLevel],
        snapshotEmitted: Bool, updateCount: Int, firstUpdateId: Int64, lastUpdateId: Int64,
        minEventTimeNanos: Int64, maxEventTimeNanos: Int64, maxIntendedNanos: Int64?, tags: [UInt64]
    ) {
        self.symbol = symbol
        self.exchange = exchange
        self.kind = kind
        self.windowStartNanos = windowStartNanos
        self.windowEndNanos = windowEndNanos
        self.deltaBids = deltaBids
        self.deltaAsks = deltaAsks
        self.topBids = topBids
        self.topAsks = topAsks
        self.snapshotEmitted = snapshotEmitted
        self.updateCount = updateCount
        self.firstUpdateId = firstUpdateId
        self.lastUpdateId = lastUpdateId
        self.minEventTimeNanos = minEventTimeNanos
        self.maxEventTimeNanos = maxEventTimeNanos
        self.maxIntendedNanos = maxIntendedNanos
        self.tags = tags
    }

    /// Compact JSON for `market.l2.<symbol>`; levels are `[price, quantity]` pairs in the same order as the fields.
    public func jsonForBus() -> String {
        var w = JSONBytes(capacity: 320 + 40 * (deltaBids.count + deltaAsks.count + topBids.count + topAsks.count))
        w.raw("{\"symbol\":")
        w.quoted(symbol)
        w.raw(",\"exchange\":")
        w.quoted(exchange)
        w.raw(kind == .snapshot ? ",\"update_type\":\"snapshot\"" : ",\"update_type\":\"delta\"")
        w.raw(",\"window_start_ms\":")
        w.integer(floorDiv(windowStartNanos, 1_000_000))
        w.raw(",\"window_end_ms\":")
        w.integer(floorDiv(windowEndNanos, 1_000_000))
        w.raw(",\"min_event_time_ms\":")
        w.integer(floorDiv(minEventTimeNanos, 1_000_000))
        w.raw(",\"max_event_time_ms\":")
        w.integer(floorDiv(maxEventTimeNanos, 1_000_000))
        w.raw(",\"first_update_id\":")
        w.integer(firstUpdateId)
        w.raw(",\"last_update_id\":")
        w.integer(lastUpdateId)
        w.raw(",\"update_count\":")
        w.integer(Int64(updateCount))
        if let maxIntendedNanos {
            w.raw(",\"max_intended_ns\":")
            w.integer(maxIntendedNanos)
        }
        w.raw(snapshotEmitted ? ",\"snapshot_emitted\":true" : ",\"snapshot_emitted\":false")
        w.raw(",\"delta_bids\":")
        w.levels(deltaBids)
        w.raw(",\"delta_asks\":")
        w.levels(deltaAsks)
        w.raw(",\"top_bids\":")
        w.levels(topBids)
        w.raw(",\"top_asks\":")
        w.levels(topAsks)
        w.raw("}")
        return w.string
    }
}

/// What one `ingest` or flush produced, in the order it happened.
public enum NormalizerEvent: Sendable, Hashable {
    /// A closed window of deltas.
    case window(WindowOutput)
    /// The output of an applied snapshot input (its top N), emitted immediately.
    case snapshot(WindowOutput)
    /// Updates are missing for `symbol`; it now awaits a snapshot. For an id gap `expected` is the next
    /// `first_update_id` wanted and `got` the one received; for a `prev_last_update_id` mismatch both are `last_update_id`s.
    case gap(symbol: String, expected: Int64, got: Int64)
    /// The input with this tag produced no output row and can be acknowledged now.
    case ignored(tag: UInt64, reason: IgnoreReason)
}

/// Turns raw L2 messages for many symbols into sequence-checked books and per-window aggregated rows.
///
/// One book per symbol: the bus subject carries only the symbol, so one exchange feeds each symbol; a second
/// exchange on the same symbol would show up as gaps and stale updates. Use it from one task; it is a value type.
public struct BookNormalizer: Sendable {
    public let config: NormalizerConfig
    private let settings: Settings
    private var books: [String: SymbolBook] = [:]

    public init(config: NormalizerConfig = NormalizerConfig()) throws(NormalizerConfigError) {
        guard config.topN >= 1, config.topN <= 1000 else {
            throw NormalizerConfigError(field: "topN", message: "must be between 1 and 1000, got \(config.topN)")
        }
        let (seconds, attoseconds) = config.window.components
        let (secNanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let windowNanos = secNanos &+ attoseconds / 1_000_000_000
        guard !overflow, windowNanos >= 1_000, windowNanos <= 3_600_000_000_000 else {
            throw NormalizerConfigError(field: "window", message: "must be between 1 µs and 1 hour, got \(config.window)")
        }
        guard config.snapshotThreshold.isFinite, config.snapshotThreshold >= 0, config.snapshotThreshold < 1 else {
            throw NormalizerConfigError(
                field: "snapshotThreshold",
                message: "must be a fraction in [0, 1), e.g. 0.0005 for 5 bps, got \(config.snapshotThreshold)")
        }
        self.config = config
        self.settings = Settings(topN: config.topN, windowNanos: windowNanos, threshold: config.snapshotThreshold)
    }

    /// Feeds one message. Every tag comes back exactly once: in a `.window` or `.snapshot` output (possibly from a
    /// later call, including a flush) or as `.ignored`.
    public mutating func ingest(_ update: L2Update, tag: UInt64) -> [NormalizerEvent] {
        var events: [NormalizerEvent] = []
        books[update.symbol, default: SymbolBook(symbol: update.symbol, exchange: update.exchange)]
            .ingest(update, tag: tag, settings: settings, into: &events)
        return events
    }

    /// Closes every open window that ends at or before `eventTimeNanos`, for symbols whose input went quiet.
    /// Pass a time that trails the newest event time by the expected lateness, or late inputs will reopen their slot.
    public mutating func flush(upTo eventTimeNanos: Int64) -> [NormalizerEvent] {
        closeWindows { end in end <= eventTimeNanos }
    }

    /// Closes every open window, e.g. when the input goes idle or at shutdown.
    public mutating func flushAll() -> [NormalizerEvent] {
        closeWindows { _ in true }
    }

    private mutating func closeWindows(where shouldClose: (Int64) -> Bool) -> [NormalizerEvent] {
        var outputs: [WindowOutput] = []
        for idx in books.values.indices {
            guard let window = books.values[idx].window, shouldClose(window.endNanos(settings)) else { continue }
            outputs.append(books.values[idx].closeWindow(settings: settings))
        }
        // Dictionary order differs between runs; sorting keeps the output stream reproducible.
        outputs.sort { ($0.windowStartNanos, $0.symbol) < ($1.windowStartNanos, $1.symbol) }
        return outputs.map { .window($0) }
    }

    public func counters(for symbol: String) -> NormalizerCounters {
        books[symbol]?.counters ?? NormalizerCounters()
    }

    public var totalCounters: NormalizerCounters {
        books.values.reduce(NormalizerCounters()) { $0 + $1.counters }
    }

    public func status(of symbol: String) -> BookStatus {
        books[symbol]?.status ?? .awaitingSnapshot
    }

    /// The current book, or nil for a symbol never seen.
    public func book(for symbol: String) -> OrderBook? {
        books[symbol]?.book
    }

    /// The last applied `last_update_id`, or nil while the symbol awaits a snapshot.
    public func lastUpdateId(of symbol: String) -> Int64? {
        guard let state = books[symbol], state.status == .live else { return nil }
        return state.lastUpdateId
    }

    public var symbols: [String] { books.keys.sorted() }

    /// Tags held in open windows, not yet returned: what the caller still has to keep un-acked.
    public var pendingTagCount: Int {
        books.values.reduce(0) { $0 + ($1.window?.tags.count ?? 0) }
    }
}

// MARK: - Per-symbol state

struct Settings: Sendable {
    var topN: Int
    var windowNanos: Int64
    var threshold: Double
}

/// What is known about the currently open window of one symbol (its level changes live in `SymbolBook`).
struct OpenWindow: Sendable {
    var index: Int64
    var count = 0
    var firstUpdateId: Int64
    var lastUpdateId: Int64
    var minEventTime: Int64
    var maxEventTime: Int64
    var maxIntended: Int64?
    var tags: [UInt64] = []

    init(index: Int64, first: L2Update) {
        self.index = index
        firstUpdateId = first.firstUpdateId
        lastUpdateId = first.lastUpdateId
        minEventTime = first.eventTimeNanos
        maxEventTime = first.eventTimeNanos
    }

    func endNanos(_ settings: Settings) -> Int64 { windowEnd(index, settings.windowNanos) }

    mutating func fold(_ update: L2Update, tag: UInt64) {
        count += 1
        lastUpdateId = update.lastUpdateId
        minEventTime = min(minEventTime, update.eventTimeNanos)
        maxEventTime = max(maxEventTime, update.eventTimeNanos)
        if let intended = update.intendedNanos { maxIntended = max(maxIntended ?? intended, intended) }
        tags.append(tag)
    }
}

struct SymbolBook: Sendable {
    let symbol: String
    var exchange: String
    var book = OrderBook()
    var status = BookStatus.awaitingSnapshot
    var lastUpdateId: Int64 = 0
    /// Whether `lastUpdateId` came from a delta; `prev_last_update_id` only chains delta to delta (see `ingestDelta`).
    var lastWasDelta = false
    var window: OpenWindow?
    /// The open window's raw level changes in arrival order, netted when it closes. Appending is cheaper than
    /// hashing every level into a dictionary, and the buffers keep their capacity from window to window.
    var pendingBids: [PriceLevel] = []
    var pendingAsks: [PriceLevel] = []
    /// The top N last emitted as a snapshot, which `snapshotThreshold` measures movement against.
    var referenceBids: [PriceLevel] = []
    var referenceAsks: [PriceLevel] = []
    var counters = NormalizerCounters()

    init(symbol: String, exchange: String) {
        self.symbol = symbol
        self.exchange = exchange
    }

    mutating func ingest(_ update: L2Update, tag: UInt64, settings: Settings, into events: inout [NormalizerEvent]) {
        counters.updates += 1
        switch update.kind {
        case .snapshot: ingestSnapshot(update, tag: tag, settings: settings, into: &events)
        case .delta: ingestDelta(update, tag: tag, settings: settings, into: &events)
        }
    }

    private mutating func ingestSnapshot(_ update: L2Update, tag: UInt64, settings: Settings, into events: inout [NormalizerEvent]) {
        // The open window was built from a consistent book and ends here, so it is emitted rather than lost;
        // deltas after the snapshot start a new window even if it shares the same time slot.
        if window != nil { events.append(.window(closeWindow(settings: settings))) }
        exchange = update.exchange
        // Every snapshot is taken as authoritative, even one older than the book: if deltas beyond it were already
        // applied, the next delta shows up as a gap and asks for a fresher snapshot, which is safer than guessing.
        book.apply(snapshot: update)
        if book.isCrossed {
            counters.crossedBooks += 1
            resync(tag: tag, reason: .crossed, into: &events)
            return
        }
        status = .live
        lastUpdateId = update.lastUpdateId
        lastWasDelta = false
        referenceBids = book.topBids(settings.topN)
        referenceAsks = book.topAsks(settings.topN)
        let index = floorDiv(update.eventTimeNanos, settings.windowNanos)
        counters.snapshotsEmitted += 1
        events.append(.snapshot(WindowOutput(
            symbol: symbol, exchange: exchange, kind: .snapshot,
            windowStartNanos: index * settings.windowNanos, windowEndNanos: windowEnd(index, settings.windowNanos),
            deltaBids: [], deltaAsks: [], topBids: referenceBids, topAsks: referenceAsks, snapshotEmitted: true,
            updateCount: 1, firstUpdateId: update.firstUpdateId, lastUpdateId: update.lastUpdateId,
            minEventTimeNanos: update.eventTimeNanos, maxEventTimeNanos: update.eventTimeNanos,
            maxIntendedNanos: update.intendedNanos, tags: [tag])))
    }

    private mutating func ingestDelta(_ update: L2Update, tag: UInt64, settings: Settings, into events: inout [NormalizerEvent]) {
        guard status == .live else {
            counters.skippedWhileResyncing += 1
            events.append(.ignored(tag: tag, reason: .awaitingSnapshot))
            return
        }
        if update.lastUpdateId <= lastUpdateId {
            counters.stale += 1
            events.append(.ignored(tag: tag, reason: .stale))
            return
        }
        // Binance futures ids are not contiguous: there `pu` == previous `u` is the continuity test, and `U` may
        // jump past lastUpdateId + 1. The first delta after a snapshot straddles the snapshot's id, so its `pu`
        // predates it and the id-range rule decides instead, unless it chains onto the snapshot's id exactly (the
        // event ending at lastUpdateId was dropped as stale, and this one follows it).
        if let prev = update.prevLastUpdateId, lastWasDelta || prev == lastUpdateId {
            if prev != lastUpdateId {
                gap(expected: lastUpdateId, got: prev, tag: tag, into: &events)
                return
            }
        } else if update.firstUpdateId > lastUpdateId, update.firstUpdateId - lastUpdateId > 1 {
            // Ids are non-negative (the decoders refuse others), so the difference cannot overflow where `+ 1` at Int64.max would.
            gap(expected: lastUpdateId == .max ? .max : lastUpdateId + 1, got: update.firstUpdateId, tag: tag, into: &events)
            return
        }

        let index = floorDiv(update.eventTimeNanos, settings.windowNanos)
        // Only a later window closes the open one. An earlier event time (exchange clocks are not monotonic)
        // joins the open window: sequence order is what the book is built in, and closed rows are never reopened.
        if let open = window, index > open.index {
            events.append(.window(closeWindow(settings: settings)))
        }
        book.apply(delta: update)
        if book.isCrossed {
            counters.crossedBooks += 1
            resync(tag: tag, reason: .crossed, into: &events)
            return
        }
        lastUpdateId = update.lastUpdateId
        lastWasDelta = true
        if window == nil { window = OpenWindow(index: index, first: update) }
        window!.fold(update, tag: tag)
        pendingBids.append(contentsOf: update.bids)
        pendingAsks.append(contentsOf: update.asks)
    }

    private mutating func gap(expected: Int64, got: Int64, tag: UInt64, into events: inout [NormalizerEvent]) {
        counters.gaps += 1
        events.append(.gap(symbol: symbol, expected: expected, got: got))
        resync(tag: tag, reason: .gap, into: &events)
    }

    /// Drops the book until the next snapshot. The open window goes too: the missing updates may belong to its
    /// time slot, so its rows could be wrong, and a row from a broken book must never be emitted.
    private mutating func resync(tag: UInt64, reason: IgnoreReason, into events: inout [NormalizerEvent]) {
        if let open = window {
            counters.discardedByResync += open.tags.count
            for t in open.tags { events.append(.ignored(tag: t, reason: .discardedByResync)) }
            window = nil
            pendingBids.removeAll(keepingCapacity: true)
            pendingAsks.removeAll(keepingCapacity: true)
        }
        book.removeAll()
        status = .awaitingSnapshot
        lastWasDelta = false
        referenceBids = []
        referenceAsks = []
        events.append(.ignored(tag: tag, reason: reason))
    }

    mutating func closeWindow(settings: Settings) -> WindowOutput {
        let open = window!
        window = nil
        let topBids = book.topBids(settings.topN)
        let topAsks = book.topAsks(settings.topN)
        let emit = settings.threshold == 0
            ? topBids != referenceBids || topAsks != referenceAsks
            : movedEnough(from: referenceBids, to: topBids, settings.threshold)
                || movedEnough(from: referenceAsks, to: topAsks, settings.threshold)
        if emit {
            referenceBids = topBids
            referenceAsks = topAsks
            counters.windowsWithTopN += 1
        }
        counters.windowsEmitted += 1
        return WindowOutput(
            symbol: symbol, exchange: exchange, kind: .delta,
            windowStartNanos: open.index * settings.windowNanos, windowEndNanos: open.endNanos(settings),
            deltaBids: Self.net(&pendingBids, highestFirst: true),
            deltaAsks: Self.net(&pendingAsks, highestFirst: false),
            topBids: topBids, topAsks: topAsks, snapshotEmitted: emit,
            updateCount: open.count, firstUpdateId: open.firstUpdateId, lastUpdateId: open.lastUpdateId,
            minEventTimeNanos: open.minEventTime, maxEventTimeNanos: open.maxEventTime,
            maxIntendedNanos: open.maxIntended, tags: open.tags)
    }

    /// Sorts raw changes by price and keeps the last quantity seen per price, emptying `changes` for reuse.
    private static func net(_ changes: inout [PriceLevel], highestFirst: Bool) -> [PriceLevel] {
        // The standard library's sort is documented stable: among equal prices arrival order survives, so the
        // last of each run is the latest change.
        if highestFirst { changes.sort { $0.price > $1.price } } else { changes.sort { $0.price < $1.price } }
        var out: [PriceLevel] = []
        out.reserveCapacity(changes.count)
        for (k, level) in changes.enumerated() where k + 1 == changes.count || changes[k + 1].price != level.price {
            out.append(level)
        }
        changes.removeAll(keepingCapacity: true)
        return out
    }

    private func movedEnough(from old: [PriceLevel], to new: [PriceLevel], _ threshold: Double) -> Bool {
        guard let oldBest = old.first, let newBest = new.first else { return old.isEmpty != new.isEmpty }
        if abs(newBest.price - oldBest.price) >= threshold * oldBest.price { return true }
        let oldTotal = old.reduce(0) { $0 + $1.quantity }
        let newTotal = new.reduce(0) { $0 + $1.quantity }
        return abs(newTotal - oldTotal) >= threshold * oldTotal
    }
}

/// Division rounding towards negative infinity, so pre-1970 times land in the window that contains them.
@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// The end of window `index`, held at `Int64.max` for event times in the last window before Int64's end.
func windowEnd(_ index: Int64, _ windowNanos: Int64) -> Int64 {
    let (next, o1) = index.addingReportingOverflow(1)
    let (end, o2) = next.multipliedReportingOverflow(by: windowNanos)
    return o1 || o2 ? .max : end
}
