import RiskSignalCore
import MarketData

/// BitMEX realtime API: `orderBookL2` (partial/insert/update/delete by level id) and `trade`.
///
/// BitMEX identifies each level by an `id`; update and delete may omit the price, so an id → (side, price) map is
/// kept per symbol. `partial` is the snapshot. Update ids are synthesised per symbol (partial n, each later
/// message n+1, one `.book` per symbol per message). Actions before a symbol's partial are counted
/// (`before_partial`) and dropped, as BitMEX prescribes. An update or delete of an id never seen means state was
/// lost: the emitted delta then skips one id, so `BookNormalizer` reports a gap and waits for a new partial
/// (resubscribe). Trades: `side` is the taker's; `trdMatchID` goes through `StableTradeId`.
public struct BitMEXAdapter: FeedAdapter {
    public let name: String
    private let normalizer: SymbolNormalizer
    private var symbols = SymbolCache()
    private var books: [LevelIndex] = []
    private var tally = KindTally(Kind.allCases.map(\.name))

    private enum Kind: Int, CaseIterable {
        case partial, insert, update, delete, beforePartial, trade, info, subscribeAck, error, pong

        var name: String {
            switch self {
            case .partial: "partial"
            case .insert: "insert"
            case .update: "update"
            case .delete: "delete"
            case .beforePartial: "before_partial"
            case .trade: "trade"
            case .info: "info"
            case .subscribeAck: "subscribe_ack"
            case .error: "error"
            case .pong: "pong"
            }
        }
    }

    /// One symbol's level ids and synthetic sequence.
    private struct LevelIndex: Sendable {
        var levels: [Int64: (isBid: Bool, price: Double)] = [:]
        var nextId: Int64 = 1
        var live = false
    }

    /// One symbol's share of a message, collected before anything is committed.
    private struct Pending {
        var slot: Int
        var symbol: String
        var bids: [PriceLevel] = []
        var asks: [PriceLevel] = []
        var time: Int64
        var lostState = false
    }

    public init(name: String = "bitmex", quoteAssets: [String] = SymbolNormalizer.bitmexQuotes) {
        self.name = name
        normalizer = SymbolNormalizer(quoteAssets: quoteAssets)
    }

    public var counts: [String: Int] { tally.dictionary }
    public var unmappedKinds: Set<String> { ["info", "subscribe_ack", "error", "pong"] }

    static func isPong(_ m: UnsafeRawBufferPointer) -> Bool {
        var s = 0, e = m.count
        while s < e, m[s] == 0x20 || m[s] == 0x09 || m[s] == 0x0a || m[s] == 0x0d { s += 1 }
        while e > s, m[e - 1] == 0x20 || m[e - 1] == 0x09 || m[e - 1] == 0x0a || m[e - 1] == 0x0d { e -= 1 }
        return e - s == 4 && m[s] == UInt8(ascii: "p") && m[s + 1] == UInt8(ascii: "o") && m[s + 2] == UInt8(ascii: "n") && m[s + 3] == UInt8(ascii: "g")
    }

    public mutating func adapt(_ message: UnsafeRawBufferPointer, receivedNanos: Int64) throws(AdapterError) -> [NormalizedEvent] {
        let json = JSONScanner(message)
        // BitMEX answers a text "ping" with a text "pong": a heartbeat, not JSON and not bad input.
        if Self.isPong(message) { tally.add(Kind.pong.rawValue); return [] }
        let fields = try json.rootObject()
        guard let table = json.value(fields, "table") else {
            if json.value(fields, "info") != nil { tally.add(Kind.info.rawValue); return [] }
            if json.value(fields, "subscribe") != nil || json.value(fields, "success") != nil { tally.add(Kind.subscribeAck.rawValue); return [] }
            if json.value(fields, "error") != nil { tally.add(Kind.error.rawValue); return [] }
            throw AdapterError.malformed("table", "expected a table message (orderBookL2, trade, …), info, a subscribe ack or an error")
        }
        if json.stringIs(table, "orderBookL2") || json.stringIs(table, "orderBookL2_25") {
            return try book(json, fields, receivedNanos: receivedNanos)
        }
        if json.stringIs(table, "trade") {
            let events = try trades(json, fields)
            tally.add(Kind.trade.rawValue)
            return events
        }
        guard let kindName = json.string(table), !kindName.isEmpty else { throw AdapterError.malformed("table", "expected a table name, got \(json.describe(table))") }
        throw AdapterError.unsupported("table", kind: kindName, "table \(json.describe(table)) is not mapped (we map orderBookL2, orderBookL2_25 and trade)")
    }

    private mutating func slot(_ json: JSONScanner, _ r: Range<Int>, field: String) throws(AdapterError) -> (index: Int, symbol: String) {
        let normalizer = self.normalizer
        guard let s = symbols.lookup(json.buf, r, normalize: { normalizer.bitmex($0) }) else {
            throw AdapterError.malformed(field, "expected a BitMEX symbol like XBTUSD or XBTZ24, got \(json.describe(r.lowerBound - 1))")
        }
        while books.count < symbols.count { books.append(LevelIndex()) }
        return s
    }

    private mutating func book(_ json: JSONScanner, _ fields: [JSONField], receivedNanos: Int64) throws(AdapterError) -> [NormalizedEvent] {
        let actionAt = try json.need(fields, "action", "")
        let action: Kind
        if json.stringIs(actionAt, "update") { action = .update }
        else if json.stringIs(actionAt, "insert") { action = .insert }
        else if json.stringIs(actionAt, "delete") { action = .delete }
        else if json.stringIs(actionAt, "partial") { action = .partial }
        else { throw AdapterError.malformed("action", "expected partial, insert, update or delete, got \(json.describe(actionAt))") }

        var pending: [Pending] = []
        // Level-map edits are staged and applied only once the whole message validated.
        var edits: [(slot: Int, id: Int64, level: (isBid: Bool, price: Double)?)] = []
        try json.forEachElement(try json.need(fields, "data", ""), path: "data") { (el, index) throws(AdapterError) in
            let path = "data[\(index)]."
            let f = try json.fields(el, path: "data[\(index)]")
            let (slot, symbol) = try self.slot(json, try json.needString(f, "symbol", path), field: path + "symbol")
            let id = try json.needInt(f, "id", path)
            var p = pending.firstIndex { $0.slot == slot } ?? -1
            if p < 0 {
                pending.append(Pending(slot: slot, symbol: symbol, time: receivedNanos))
                p = pending.count - 1
            }
            if json.value(f, "timestamp") != nil { pending[p].time = try json.needISOTime(f, "timestamp", path) }
            guard action == .partial || books[slot].live else { return }

            let known = edits.last { $0.slot == slot && $0.id == id }.map { $0.level } ?? books[slot].levels[id]
            var isBid: Bool
            if let sideAt = json.value(f, "side") {
                guard json.stringIs(sideAt, "Buy") || json.stringIs(sideAt, "Sell") else {
                    throw AdapterError.malformed(path + "side", "expected \"Buy\" or \"Sell\", got \(json.describe(sideAt))")
                }
                isBid = json.stringIs(sideAt, "Buy")
            } else if let known {
                isBid = known.isBid
            } else if action == .insert || action == .partial {
                throw AdapterError.missing(path + "side")
            } else {
                pending[p].lostState = true
                return
            }
            var price: Double
            if json.value(f, "price") != nil {
                price = try json.needDouble(f, "price", path)
            } else if let known {
                price = known.price
            } else if action == .insert || action == .partial {
                throw AdapterError.missing(path + "price")
            } else {
                pending[p].lostState = true
                return
            }
            if known == nil, action == .update || action == .delete { pending[p].lostState = true }
            let size: Double
            if action == .delete {
                size = 0
                edits.append((slot, id, nil))
            } else {
                size = try json.needDouble(f, "size", path, positive: false)
                edits.append((slot, id, (isBid, price)))
            }
            let level = PriceLevel(price: price, quantity: size)
            if isBid { pending[p].bids.append(level) } else { pending[p].asks.append(level) }
        }
        if action == .partial, pending.isEmpty, let filter = json.value(fields, "filter"),
           let sym = json.value(try json.fields(filter, path: "filter"), "symbol"), let r = json.stringRange(sym) {
            // An empty partial still says "this symbol's book is empty now".
            let (slot, symbol) = try self.slot(json, r, field: "filter.symbol")
            pending.append(Pending(slot: slot, symbol: symbol, time: receivedNanos))
        }

        // Commit.
        for p in pending where action == .partial { books[p.slot].levels = [:]; books[p.slot].live = true }
        for e in edits { books[e.slot].levels[e.id] = e.level }
        var events: [NormalizedEvent] = []
        var dropped = 0
        for p in pending {
            guard action == .partial || books[p.slot].live else { dropped += 1; continue }
            var id = books[p.slot].nextId
            // Lost state: skip an id so the normalizer sees a gap instead of a silently wrong book.
            if p.lostState { id += 1 }
            books[p.slot].nextId = id + 1
            events.append(.book(L2Update(
                symbol: p.symbol, exchange: name, kind: action == .partial ? .snapshot : .delta, eventTimeNanos: p.time,
                firstUpdateId: id, lastUpdateId: id, bids: p.bids, asks: p.asks)))
        }
        tally.add(dropped > 0 && events.isEmpty ? Kind.beforePartial.rawValue : action.rawValue)
        return events
    }

    private mutating func trades(_ json: JSONScanner, _ fields: [JSONField]) throws(AdapterError) -> [NormalizedEvent] {
        var out: [NormalizedEvent] = []
        try json.forEachElement(try json.need(fields, "data", ""), path: "data") { (el, index) throws(AdapterError) in
            let path = "data[\(index)]."
            let f = try json.fields(el, path: "data[\(index)]")
            let (_, symbol) = try slot(json, try json.needString(f, "symbol", path), field: path + "symbol")
            let sideAt = try json.need(f, "side", path)
            let side: TakerSide
            if json.stringIs(sideAt, "Buy") { side = .buy } else if json.stringIs(sideAt, "Sell") { side = .sell } else {
                throw AdapterError.malformed(path + "side", "expected \"Buy\" or \"Sell\" (the taker's side), got \(json.describe(sideAt))")
            }
            let match = try json.needString(f, "trdMatchID", path)
            out.append(.trade(Trade(
                symbol: symbol, exchange: name, eventTimeNanos: try json.needISOTime(f, "timestamp", path),
                tradeId: StableTradeId.from(UnsafeRawBufferPointer(rebasing: json.buf[match])),
                price: try json.needDouble(f, "price", path), quantity: try json.needDouble(f, "size", path), side: side)))
        }
        return out
    }
}
