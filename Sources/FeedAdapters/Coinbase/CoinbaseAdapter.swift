import RiskSignalCore
import MarketData

/// Coinbase (Exchange / old "Pro") websocket feed: `level2` snapshot/l2update, `matches`, `ticker`.
///
/// The level2 channel carries no sequence number, so update ids are synthesised per symbol: each snapshot and each
/// l2update takes the next id of that symbol's counter (a snapshot is `first == last == n`, the l2updates after it
/// n+1, n+2, ...). They always chain, so **gaps in Coinbase l2 cannot be detected** from the feed itself; only a
/// crossed book hints at a lost update. `match`/`last_match` carry `side` = the maker's side, so the taker side
/// is the opposite. `last_match` (the trade before subscribing) is emitted as a trade too: its event id
/// `coinbase:<SYM>:<trade_id>` de-duplicates against a later `match`.
public struct CoinbaseAdapter: FeedAdapter {
    public let name: String
    private var tally = KindTally(Kind.allCases.map(\.name))
    private var symbols = SymbolCache()
    private var nextIds: [Int64] = []

    private enum Kind: Int, CaseIterable {
        case l2update, snapshot, match, lastMatch, ticker, subscriptions, heartbeat, status, error

        var name: String {
            switch self {
            case .l2update: "l2update"
            case .snapshot: "snapshot"
            case .match: "match"
            case .lastMatch: "last_match"
            case .ticker: "ticker"
            case .subscriptions: "subscriptions"
            case .heartbeat: "heartbeat"
            case .status: "status"
            case .error: "error"
            }
        }
    }

    public init(name: String = "coinbase") {
        self.name = name
    }

    public var counts: [String: Int] { tally.dictionary }
    public var unmappedKinds: Set<String> { ["subscriptions", "heartbeat", "status", "error"] }

    public mutating func adapt(_ message: UnsafeRawBufferPointer, receivedNanos: Int64) throws(AdapterError) -> [NormalizedEvent] {
        let json = JSONScanner(message)
        let fields = try json.rootObject()
        // Advanced Trade messages name a channel instead of a type (`{"channel":"l2_data",…}`): valid, not mapped.
        if json.value(fields, "type") == nil, let c = json.value(fields, "channel"), let channel = json.string(c), !channel.isEmpty {
            throw AdapterError.unsupported("channel", kind: channel, "Advanced Trade channel \(json.describe(c)) is not mapped (we map the Exchange feed's types)")
        }
        let typeRange = try json.needString(fields, "type", "")
        let type = typeRange.lowerBound - 1
        let kind: Kind
        if json.stringIs(type, "l2update") { kind = .l2update }
        else if json.stringIs(type, "match") { kind = .match }
        else if json.stringIs(type, "ticker") { kind = .ticker }
        else if json.stringIs(type, "snapshot") { kind = .snapshot }
        else if json.stringIs(type, "last_match") { kind = .lastMatch }
        else if json.stringIs(type, "heartbeat") { kind = .heartbeat }
        else if json.stringIs(type, "subscriptions") { kind = .subscriptions }
        else if json.stringIs(type, "status") { kind = .status }
        // A venue-side error reply (bad subscription): nothing to map, and not our parse failure.
        else if json.stringIs(type, "error") { kind = .error }
        else {
            let kindName = String(decoding: json.buf[typeRange], as: UTF8.self)
            guard !kindName.isEmpty else { throw AdapterError.malformed("type", "expected a message type, got \(json.describe(type))") }
            throw AdapterError.unsupported("type", kind: kindName, "message type \(json.describe(type)) is not mapped (we map l2update, snapshot, match, last_match and ticker)")
        }

        let events: [NormalizedEvent]
        switch kind {
        case .l2update: events = [.book(try l2update(json, fields))]
        case .snapshot: events = [.book(try snapshot(json, fields, receivedNanos: receivedNanos))]
        case .match, .lastMatch: events = [.trade(try match(json, fields))]
        case .ticker: events = [.quote(try ticker(json, fields, receivedNanos: receivedNanos))]
        case .subscriptions, .heartbeat, .status, .error: events = []
        }
        tally.add(kind.rawValue)
        return events
    }

    private mutating func product(_ json: JSONScanner, _ fields: [JSONField]) throws(AdapterError) -> (index: Int, symbol: String) {
        let r = try json.needString(fields, "product_id", "")
        guard let s = symbols.lookup(json.buf, r, normalize: SymbolNormalizer.dashed) else {
            throw AdapterError.malformed("product_id", "expected BASE-QUOTE like BTC-USD, got \(json.describe(r.lowerBound - 1))")
        }
        while nextIds.count < symbols.count { nextIds.append(1) }
        return s
    }

    private mutating func l2update(_ json: JSONScanner, _ fields: [JSONField]) throws(AdapterError) -> L2Update {
        let (slot, symbol) = try product(json, fields)
        let time = try json.needISOTime(fields, "time", "")
        let changes = try json.need(fields, "changes", "")
        var bids: [PriceLevel] = [], asks: [PriceLevel] = []
        try json.forEachElement(changes, path: "changes") { (el, index) throws(AdapterError) in
            var side = -1
            var price = 0.0, size = -1.0
            try json.forEachElement(el, path: "changes[\(index)]") { (v, k) throws(AdapterError) in
                switch k {
                case 0:
                    side = json.stringIs(v, "buy") ? 0 : json.stringIs(v, "sell") ? 1 : -1
                    guard side >= 0 else { throw AdapterError.malformed("changes[\(index)][0]", "expected \"buy\" or \"sell\", got \(json.describe(v))") }
                case 1:
                    guard let p = json.double(v), p > 0, p.isFinite else { throw AdapterError.malformed("changes[\(index)][1]", "expected a positive price, got \(json.describe(v))") }
                    price = p
                case 2:
                    guard let q = json.double(v), q >= 0, q.isFinite else { throw AdapterError.malformed("changes[\(index)][2]", "expected a non-negative size, got \(json.describe(v))") }
                    size = q == 0 ? 0 : q
                default: break
                }
            }
            guard size >= 0 else { throw AdapterError.malformed("changes[\(index)]", "expected [side, price, size]") }
            if side == 0 { bids.append(PriceLevel(price: price, quantity: size)) } else { asks.append(PriceLevel(price: price, quantity: size)) }
        }
        // Only now, after everything validated: a rejected message must not consume an id.
        let id = nextIds[slot]
        nextIds[slot] = id + 1
        return L2Update(symbol: symbol, exchange: name, kind: .delta, eventTimeNanos: time,
                        firstUpdateId: id, lastUpdateId: id, bids: bids, asks: asks)
    }

    private mutating func snapshot(_ json: JSONScanner, _ fields: [JSONField], receivedNanos: Int64) throws(AdapterError) -> L2Update {
        let (slot, symbol) = try product(json, fields)
        let bids = try json.levels(try json.need(fields, "bids", ""), "bids")
        let asks = try json.levels(try json.need(fields, "asks", ""), "asks")
        let id = nextIds[slot]
        nextIds[slot] = id + 1
        return L2Update(symbol: symbol, exchange: name, kind: .snapshot, eventTimeNanos: receivedNanos,
                        firstUpdateId: id, lastUpdateId: id, bids: bids, asks: asks)
    }

    private mutating func match(_ json: JSONScanner, _ fields: [JSONField]) throws(AdapterError) -> Trade {
        let (_, symbol) = try product(json, fields)
        let sideAt = try json.need(fields, "side", "")
        let makerSide: TakerSide
        if json.stringIs(sideAt, "buy") { makerSide = .buy } else if json.stringIs(sideAt, "sell") { makerSide = .sell } else {
            throw AdapterError.malformed("side", "expected \"buy\" or \"sell\" (the maker's side), got \(json.describe(sideAt))")
        }
        return Trade(
            symbol: symbol, exchange: name, eventTimeNanos: try json.needISOTime(fields, "time", ""),
            tradeId: UInt64(try json.needInt(fields, "trade_id", "")),
            price: try json.needDouble(fields, "price", ""), quantity: try json.needDouble(fields, "size", ""),
            side: makerSide.opposite)
    }

    private mutating func ticker(_ json: JSONScanner, _ fields: [JSONField], receivedNanos: Int64) throws(AdapterError) -> Quote {
        let (_, symbol) = try product(json, fields)
        // The first ticker after subscribing may lack `time`; then the receive time stands in.
        let time = json.value(fields, "time") == nil ? receivedNanos : try json.needISOTime(fields, "time", "")
        func optional(_ key: StaticString) throws(AdapterError) -> Double? {
            json.value(fields, key) == nil ? nil : try json.needDouble(fields, key, "", positive: false)
        }
        return Quote(
            symbol: symbol, exchange: name, eventTimeNanos: time,
            bidPrice: try json.needDouble(fields, "best_bid", ""), bidSize: try optional("best_bid_size"),
            askPrice: try json.needDouble(fields, "best_ask", ""), askSize: try optional("best_ask_size"))
    }
}
