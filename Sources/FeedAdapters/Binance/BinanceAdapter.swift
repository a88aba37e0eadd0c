import RiskSignalCore
import MarketData

/// Binance spot and USD-M futures websocket streams plus the REST depth snapshot, raw or wrapped as a combined
/// stream (`{"stream":"btcusdt@depth","data":{…}}`).
///
/// Ids pass through unchanged so `BookNormalizer` applies Binance's own book rules ("How to manage a local order
/// book correctly"): a snapshot is `first == last == lastUpdateId`; a `depthUpdate` is `U…u` (futures add
/// `pu` as `prevLastUpdateId`). The REST snapshot names no symbol: it is taken from the combined-stream name,
/// else from `defaultSymbol`. A trade's `m` (buyer is maker) true means the taker sold.
public struct BinanceAdapter: FeedAdapter {
    public let name: String
    public let market: BinanceMarket
    /// Venue spelling (`BTCUSDT`) for REST snapshots that arrive unwrapped.
    public let defaultSymbol: String?
    private let normalizer: SymbolNormalizer
    private var symbols = SymbolCache()
    private var tally = KindTally(Kind.allCases.map(\.name))

    private enum Kind: Int, CaseIterable {
        case depthUpdate, snapshot, trade, aggTrade, bookTicker, subscriptionAck, error

        var name: String {
            switch self {
            case .depthUpdate: "depthUpdate"
            case .snapshot: "snapshot"
            case .trade: "trade"
            case .aggTrade: "aggTrade"
            case .bookTicker: "bookTicker"
            case .subscriptionAck: "subscription_ack"
            case .error: "error"
            }
        }
    }

    public init(market: BinanceMarket = .spot, defaultSymbol: String? = nil, name: String? = nil,
                quoteAssets: [String] = SymbolNormalizer.binanceQuotes) {
        self.market = market
        self.defaultSymbol = defaultSymbol
        self.name = name ?? (market == .spot ? "binance" : "binance-futures")
        normalizer = SymbolNormalizer(quoteAssets: quoteAssets)
    }

    public var counts: [String: Int] { tally.dictionary }
    public var unmappedKinds: Set<String> { ["subscription_ack", "error"] }

    public mutating func adapt(_ message: UnsafeRawBufferPointer, receivedNanos: Int64) throws(AdapterError) -> [NormalizedEvent] {
        let json = JSONScanner(message)
        var start = 0
        json.skipWhitespace(&start)
        // All-market streams (`!ticker@arr`, `!markPrice@arr`) send an array of events: valid, not mapped.
        if json.isArray(start) { throw try unsupportedArray(json, start) }
        var fields = try json.rootObject()
        var path = ""
        var streamSymbol: Range<Int>?
        if let stream = json.value(fields, "stream"), let data = json.value(fields, "data") {
            guard let r = json.stringRange(stream) else { throw AdapterError.malformed("stream", "expected a stream name like \"btcusdt@depth\", got \(json.describe(stream))") }
            var at = r.lowerBound
            while at < r.upperBound, json.buf[at] != UInt8(ascii: "@") { at += 1 }
            streamSymbol = r.lowerBound..<at
            if json.isArray(data) { throw try unsupportedArray(json, data) }
            fields = try json.fields(data, path: "data")
            path = "data."
        }

        let kind: Kind
        if let e = json.value(fields, "e") {
            if json.stringIs(e, "depthUpdate") { kind = .depthUpdate }
            else if json.stringIs(e, "trade") { kind = .trade }
            else if json.stringIs(e, "aggTrade") { kind = .aggTrade }
            else if json.stringIs(e, "bookTicker") { kind = .bookTicker }
            else if let kindName = json.string(e), !kindName.isEmpty {
                throw AdapterError.unsupported(path + "e", kind: kindName, "event type \(json.describe(e)) is not mapped (we map depthUpdate, trade, aggTrade and bookTicker)")
            } else {
                throw AdapterError.malformed(path + "e", "expected an event type string, got \(json.describe(e))")
            }
        } else if json.value(fields, "lastUpdateId") != nil {
            kind = .snapshot
        } else if json.value(fields, "u") != nil, json.value(fields, "B") != nil, json.value(fields, "A") != nil {
            kind = .bookTicker  // spot bookTicker has no "e"
        } else if json.value(fields, "id") != nil, fields.contains(where: { json.keyIs($0, "result") }) {
            kind = .subscriptionAck
        } else if json.value(fields, "code") != nil, json.value(fields, "msg") != nil {
            kind = .error  // an API error reply, e.g. {"code":-1121,"msg":"Invalid symbol."}
        } else {
            throw AdapterError.malformed(path + "e", "expected an event type field \"e\", a depth snapshot (lastUpdateId), a bookTicker (u, b, B, a, A), a subscription reply or an error reply")
        }

        let event: NormalizedEvent?
        switch kind {
        case .depthUpdate: event = .book(try depth(json, fields, path))
        case .snapshot: event = .book(try snapshot(json, fields, path, streamSymbol: streamSymbol, receivedNanos: receivedNanos))
        case .trade, .aggTrade: event = .trade(try trade(json, fields, path, aggregate: kind == .aggTrade))
        case .bookTicker: event = .quote(try bookTicker(json, fields, path, receivedNanos: receivedNanos))
        case .subscriptionAck, .error: event = nil
        }
        tally.add(kind.rawValue)
        return event.map { [$0] } ?? []
    }

    /// An array of events (all-market streams): unsupported under the first element's event type, else malformed.
    private func unsupportedArray(_ json: JSONScanner, _ at: Int) throws(AdapterError) -> AdapterError {
        var eventName: String?
        try json.forEachElement(at, path: "$") { (el, _) throws(AdapterError) in
            guard eventName == nil, json.isObject(el) else { return }
            let f = try json.fields(el, path: "$[0]")
            if let e = json.value(f, "e") { eventName = json.string(e) }
        }
        guard let eventName, !eventName.isEmpty else { return AdapterError.malformed("$", "expected an object, or an array of events with \"e\"") }
        return AdapterError.unsupported("$[0].e", kind: eventName, "an array of \(eventName) events (an all-market stream) is not mapped")
    }

    /// Our spelling (`BTC-USDT`) of a Binance symbol (`BTCUSDT`, `btcusdt`), nil when it ends in no known quote asset.
    public func normalizedSymbol(_ venueSymbol: String) -> String? { normalizer.split(venueSymbol) }

    /// A bare REST depth snapshot placed on `symbol` (our spelling), for a caller that knows the symbol from context
    /// (the request line the recorder logged, the file name, `--symbol`, the diffs that follow it).
    public mutating func adaptSnapshot(_ message: [UInt8], receivedNanos: Int64, symbol: String) throws(AdapterError) -> [NormalizedEvent] {
        let result: Result<L2Update, AdapterError> = message.withUnsafeBytes { buf in
            let json = JSONScanner(buf)
            do throws(AdapterError) {
                let fields = try json.rootObject()
                guard json.value(fields, "lastUpdateId") != nil else { throw AdapterError.missing("lastUpdateId") }
                return .success(try snapshot(json, fields, "", streamSymbol: nil, receivedNanos: receivedNanos, placed: symbol))
            } catch { return .failure(error) }
        }
        let update = try result.get()
        tally.add(Kind.snapshot.rawValue)
        return [.book(update)]
    }

    private mutating func symbol(_ json: JSONScanner, _ r: Range<Int>, field: String) throws(AdapterError) -> String {
        let normalizer = self.normalizer
        guard let s = symbols.lookup(json.buf, r, normalize: { normalizer.split($0) }) else {
            throw AdapterError.malformed(field, "expected a Binance symbol ending in a known quote asset (e.g. BTCUSDT), got \(json.describe(r.lowerBound - 1)); pass quoteAssets to the adapter for new quotes")
        }
        return s.symbol
    }

    private mutating func depth(_ json: JSONScanner, _ fields: [JSONField], _ path: String) throws(AdapterError) -> L2Update {
        let symbol = try symbol(json, try json.needString(fields, "s", path), field: path + "s")
        let first = try json.needInt(fields, "U", path)
        let last = try json.needInt(fields, "u", path)
        guard last >= first else { throw AdapterError.malformed(path + "u", "expected u >= U (\(first)), got \(last)") }
        var prev: Int64?
        if market == .usdmFutures { prev = try json.needInt(fields, "pu", path) }
        return L2Update(
            symbol: symbol, exchange: name, kind: .delta, eventTimeNanos: try json.needMillis(fields, "E", path),
            firstUpdateId: first, lastUpdateId: last, prevLastUpdateId: prev,
            bids: try json.levels(try json.need(fields, "b", path), path + "b"),
            asks: try json.levels(try json.need(fields, "a", path), path + "a"))
    }

    private mutating func snapshot(
        _ json: JSONScanner, _ fields: [JSONField], _ path: String, streamSymbol: Range<Int>?, receivedNanos: Int64, placed: String? = nil
    ) throws(AdapterError) -> L2Update {
        let symbol: String
        if let placed {
            symbol = placed
        } else if let streamSymbol, !streamSymbol.isEmpty {
            symbol = try self.symbol(json, streamSymbol, field: "stream")
        } else if let at = json.value(fields, "symbol") ?? json.value(fields, "s"), let r = json.stringRange(at) {
            // Some recorders add the symbol they asked for to the stored REST response.
            symbol = try self.symbol(json, r, field: path + (json.value(fields, "symbol") != nil ? "symbol" : "s"))
        } else if let defaultSymbol, let s = normalizer.split(defaultSymbol) {
            symbol = s
        } else {
            throw AdapterError(reason: .noSymbol, field: "stream",
                               message: "a REST depth snapshot names no symbol: wrap it as {\"stream\":\"btcusdt@depth\",\"data\":…}, construct the adapter with defaultSymbol, or (replay) pass --symbol")
        }
        let id = try json.needInt(fields, "lastUpdateId", path)
        // Futures snapshots carry E; spot ones carry no time at all.
        let time = json.value(fields, "E") != nil ? try json.needMillis(fields, "E", path) : receivedNanos
        return L2Update(
            symbol: symbol, exchange: name, kind: .snapshot, eventTimeNanos: time, firstUpdateId: id, lastUpdateId: id,
            bids: try json.levels(try json.need(fields, "bids", path), path + "bids"),
            asks: try json.levels(try json.need(fields, "asks", path), path + "asks"))
    }

    private mutating func trade(_ json: JSONScanner, _ fields: [JSONField], _ path: String, aggregate: Bool) throws(AdapterError) -> Trade {
        let symbol = try symbol(json, try json.needString(fields, "s", path), field: path + "s")
        let makerAt = try json.need(fields, "m", path)
        guard let buyerIsMaker = json.bool(makerAt) else { throw AdapterError.malformed(path + "m", "expected true or false (buyer is maker), got \(json.describe(makerAt))") }
        let id = aggregate ? try json.needInt(fields, "a", path) : try json.needInt(fields, "t", path)
        return Trade(
            symbol: symbol, exchange: name, eventTimeNanos: try json.needMillis(fields, "T", path), tradeId: UInt64(id),
            price: try json.needDouble(fields, "p", path), quantity: try json.needDouble(fields, "q", path),
            side: buyerIsMaker ? .sell : .buy)
    }

    private mutating func bookTicker(_ json: JSONScanner, _ fields: [JSONField], _ path: String, receivedNanos: Int64) throws(AdapterError) -> Quote {
        let symbol = try symbol(json, try json.needString(fields, "s", path), field: path + "s")
        // Spot bookTicker has no time; futures has E.
        let time = json.value(fields, "E") != nil ? try json.needMillis(fields, "E", path) : receivedNanos
        return Quote(
            symbol: symbol, exchange: name, eventTimeNanos: time,
            bidPrice: try json.needDouble(fields, "b", path), bidSize: try json.needDouble(fields, "B", path, positive: false),
            askPrice: try json.needDouble(fields, "a", path), askSize: try json.needDouble(fields, "A", path, positive: false))
    }
}
