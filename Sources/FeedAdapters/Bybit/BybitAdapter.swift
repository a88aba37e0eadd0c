import RiskSignalCore
import MarketData

/// Bybit v5 public streams: `orderbook.N.SYMBOL` (snapshot/delta) and `publicTrade.SYMBOL`.
///
/// Book ids are Bybit's `u` as both first and last update id, so `BookNormalizer` enforces Bybit's rule
/// `u == previous u + 1`. A snapshot resets the book whatever its `u` (u = 1 after a Bybit service restart), which is
/// what the normalizer does with any snapshot. Trades: `S` is the taker's side; `i` goes through `StableTradeId`.
public struct BybitAdapter: FeedAdapter {
    public let name: String
    private let normalizer: SymbolNormalizer
    private var symbols = SymbolCache()
    private var tally = KindTally(Kind.allCases.map(\.name))

    private enum Kind: Int, CaseIterable {
        case snapshot, delta, publicTrade, op

        var name: String {
            switch self {
            case .snapshot: "orderbook_snapshot"
            case .delta: "orderbook_delta"
            case .publicTrade: "publicTrade"
            case .op: "op"
            }
        }
    }

    public init(name: String = "bybit", quoteAssets: [String] = SymbolNormalizer.bybitQuotes) {
        self.name = name
        normalizer = SymbolNormalizer(quoteAssets: quoteAssets)
    }

    public var counts: [String: Int] { tally.dictionary }
    public var unmappedKinds: Set<String> { ["op"] }

    public mutating func adapt(_ message: UnsafeRawBufferPointer, receivedNanos: Int64) throws(AdapterError) -> [NormalizedEvent] {
        let json = JSONScanner(message)
        let fields = try json.rootObject()
        guard let topicAt = json.value(fields, "topic") else {
            // subscribe / ping replies: {"success":true,"op":"subscribe",…}
            if json.value(fields, "op") != nil { tally.add(Kind.op.rawValue); return [] }
            // Older (v3) replies carry ret_msg / success without op: still a reply, not bad input.
            if json.value(fields, "ret_msg") != nil || json.value(fields, "success") != nil { tally.add(Kind.op.rawValue); return [] }
            throw AdapterError.missing("topic")
        }
        guard let topic = json.stringRange(topicAt) else { throw AdapterError.malformed("topic", "expected a string, got \(json.describe(topicAt))") }
        if json.matches(topic.lowerBound, "orderbook.") {
            let typeAt = try json.need(fields, "type", "")
            let isSnapshot = json.stringIs(typeAt, "snapshot")
            guard isSnapshot || json.stringIs(typeAt, "delta") else {
                throw AdapterError.malformed("type", "expected \"snapshot\" or \"delta\", got \(json.describe(typeAt))")
            }
            let data = try json.fields(try json.need(fields, "data", ""), path: "data")
            let id = try json.needInt(data, "u", "data.")
            let update = L2Update(
                symbol: try symbol(json, try json.needString(data, "s", "data."), field: "data.s"),
                exchange: name, kind: isSnapshot ? .snapshot : .delta, eventTimeNanos: try json.needMillis(fields, "ts", ""),
                firstUpdateId: id, lastUpdateId: id,
                bids: try json.levels(try json.need(data, "b", "data."), "data.b"),
                asks: try json.levels(try json.need(data, "a", "data."), "data.a"))
            tally.add(isSnapshot ? Kind.snapshot.rawValue : Kind.delta.rawValue)
            return [.book(update)]
        }
        if json.matches(topic.lowerBound, "publicTrade.") {
            var out: [NormalizedEvent] = []
            try json.forEachElement(try json.need(fields, "data", ""), path: "data") { (el, index) throws(AdapterError) in
                let path = "data[\(index)]."
                let f = try json.fields(el, path: "data[\(index)]")
                let sideAt = try json.need(f, "S", path)
                let side: TakerSide
                if json.stringIs(sideAt, "Buy") { side = .buy } else if json.stringIs(sideAt, "Sell") { side = .sell } else {
                    throw AdapterError.malformed(path + "S", "expected \"Buy\" or \"Sell\" (the taker's side), got \(json.describe(sideAt))")
                }
                let idRange = try json.needString(f, "i", path)
                out.append(.trade(Trade(
                    symbol: try symbol(json, try json.needString(f, "s", path), field: path + "s"), exchange: name,
                    eventTimeNanos: try json.needMillis(f, "T", path),
                    tradeId: StableTradeId.from(UnsafeRawBufferPointer(rebasing: json.buf[idRange])),
                    price: try json.needDouble(f, "p", path), quantity: try json.needDouble(f, "v", path), side: side)))
            }
            tally.add(Kind.publicTrade.rawValue)
            return out
        }
        // tickers.BTCUSDT, kline.1.BTCUSDT, liquidation.BTCUSDT, …: the family is the part before the first dot.
        let kindName = String(decoding: json.buf[topic].prefix { $0 != UInt8(ascii: ".") }, as: UTF8.self)
        guard !kindName.isEmpty else { throw AdapterError.malformed("topic", "expected a topic like orderbook.50.BTCUSDT, got \(json.describe(topicAt))") }
        throw AdapterError.unsupported("topic", kind: kindName, "topic \(json.describe(topicAt)) is not mapped (we map orderbook.N.SYMBOL and publicTrade.SYMBOL)")
    }

    private mutating func symbol(_ json: JSONScanner, _ r: Range<Int>, field: String) throws(AdapterError) -> String {
        let normalizer = self.normalizer
        guard let s = symbols.lookup(json.buf, r, normalize: { normalizer.split($0) }) else {
            throw AdapterError.malformed(field, "expected a Bybit symbol ending in a known quote asset (e.g. BTCUSDT), got \(json.describe(r.lowerBound - 1))")
        }
        return s.symbol
    }
}
