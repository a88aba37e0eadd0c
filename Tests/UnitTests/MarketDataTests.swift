import Foundation
import Testing
import RiskSignalCore
@testable import MarketData

// MARK: - Helpers

/// Deterministic generator so the property tests replay identically on every run.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// An independent model of a book: plain dictionaries, sorted only when asked.
private struct ReferenceBook: Equatable {
    var bids: [Double: Double] = [:]
    var asks: [Double: Double] = [:]

    mutating func apply(_ u: L2Update) {
        if u.kind == .snapshot {
            bids = [:]
            asks = [:]
        }
        for l in u.bids { bids[l.price] = l.quantity == 0 ? nil : l.quantity }
        for l in u.asks { asks[l.price] = l.quantity == 0 ? nil : l.quantity }
    }

    func topBids(_ n: Int) -> [PriceLevel] {
        bids.sorted { $0.key > $1.key }.prefix(n).map { PriceLevel(price: $0.key, quantity: $0.value) }
    }

    func topAsks(_ n: Int) -> [PriceLevel] {
        asks.sorted { $0.key < $1.key }.prefix(n).map { PriceLevel(price: $0.key, quantity: $0.value) }
    }
}

/// Produces a plausible, never-crossed feed for one symbol: bids in 90.00-99.99, asks in 100.01-110.00.
private struct FeedGenerator {
    let symbol: String
    var rng: SplitMix64
    var reference = ReferenceBook()
    var lastId: Int64
    /// Every price ever used per side, in first-use order: picking from these is deterministic, unlike dictionary order.
    var knownBids: [Double] = []
    var knownAsks: [Double] = []

    init(symbol: String, seed: UInt64, startId: Int64 = 1000) {
        self.symbol = symbol
        rng = SplitMix64(state: seed)
        lastId = startId
        for _ in 0..<40 {
            let bid = randomBidPrice(), ask = randomAskPrice()
            reference.bids[bid] = randomQuantity()
            reference.asks[ask] = randomQuantity()
            knownBids.append(bid)
            knownAsks.append(ask)
        }
    }

    mutating func randomBidPrice() -> Double { Double(Int.random(in: 9000...9999, using: &rng)) / 100 }
    mutating func randomAskPrice() -> Double { Double(Int.random(in: 10001...11000, using: &rng)) / 100 }
    mutating func randomQuantity() -> Double { Double(Int.random(in: 1...100_000, using: &rng)) / 1000 }

    /// Half the changes revisit a known price (update, or remove, possibly a level already gone, as exchanges send).
    mutating func changes(bidSide: Bool) -> [PriceLevel] {
        var out: [PriceLevel] = []
        for _ in 0..<Int.random(in: 0...4, using: &rng) {
            let known = bidSide ? knownBids : knownAsks
            let useKnown = Int.random(in: 0..<10, using: &rng) < 5
            let price = useKnown ? known[Int.random(in: 0..<known.count, using: &rng)] : (bidSide ? randomBidPrice() : randomAskPrice())
            if !useKnown {
                if bidSide { knownBids.append(price) } else { knownAsks.append(price) }
            }
            let remove = useKnown && Int.random(in: 0..<3, using: &rng) == 0
            out.append(PriceLevel(price: price, quantity: remove ? 0 : randomQuantity()))
        }
        return out
    }

    func snapshot(atMillis ms: Int64) -> L2Update {
        L2Update(
            symbol: symbol, exchange: "binance", kind: .snapshot, eventTimeNanos: ms * 1_000_000,
            firstUpdateId: lastId, lastUpdateId: lastId,
            bids: reference.bids.map { PriceLevel(price: $0.key, quantity: $0.value) },
            asks: reference.asks.map { PriceLevel(price: $0.key, quantity: $0.value) })
    }

    mutating func delta(atMillis ms: Int64) -> L2Update {
        let bids = changes(bidSide: true)
        let asks = changes(bidSide: false)
        let first = lastId + 1
        let last = first + Int64.random(in: 0...3, using: &rng)
        let u = L2Update(
            symbol: symbol, exchange: "binance", kind: .delta, eventTimeNanos: ms * 1_000_000,
            firstUpdateId: first, lastUpdateId: last, prevLastUpdateId: lastId, bids: bids, asks: asks,
            intendedNanos: ms * 1_000_000 - 7)
        lastId = last
        reference.apply(u)
        return u
    }
}

/// Encodes an update the way producers do, optionally with string numbers and an ISO event time.
private func encode(_ u: L2Update, stringNumbers: Bool = false, isoTime: Bool = false) -> String {
    func num(_ d: Double) -> String { stringNumbers ? "\"\(d)\"" : "\(d)" }
    func levels(_ ls: [PriceLevel]) -> String { "[" + ls.map { "[\(num($0.price)),\(num($0.quantity))]" }.joined(separator: ",") + "]" }
    var time = "\(u.eventTimeNanos / 1_000_000)"
    if isoTime {
        // Whole seconds through the formatter and the milliseconds appended by hand, so no float rounding creeps in.
        let ms = u.eventTimeNanos / 1_000_000
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        let seconds = f.string(from: Date(timeIntervalSince1970: Double(ms / 1000))).dropLast()  // drop "Z"
        let millis = String(ms % 1000)
        time = "\"\(seconds).\(String(repeating: "0", count: 3 - millis.count))\(millis)Z\""
    }
    var s = #"{"symbol":"\#(u.symbol)","exchange":"\#(u.exchange)","type":"\#(u.kind.rawValue)","event_time":\#(time),"#
    s += #""first_update_id":\#(u.firstUpdateId),"last_update_id":\#(u.lastUpdateId),"#
    if let pu = u.prevLastUpdateId { s += #""prev_last_update_id":\#(pu),"# }
    if let i = u.intendedNanos { s += #""intended_ns":\#(i),"# }
    if let e = u.eventId { s += #""event_id":"\#(e)","# }
    return s + #""bids":\#(levels(u.bids)),"asks":\#(levels(u.asks))}"#
}

private func decode(_ text: String, maxPayloadBytes: Int = L2Update.defaultMaxPayloadBytes) -> Result<L2Update, L2DecodeError> {
    L2Update.decode(Data(text.utf8), maxPayloadBytes: maxPayloadBytes)
}

private func decodeOK(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> L2Update {
    switch decode(text) {
    case .success(let u): return u
    case .failure(let e):
        Issue.record("unexpected decode failure: \(e)", sourceLocation: sourceLocation)
        throw e
    }
}

private func normalizer(topN: Int = 10, threshold: Double = 0) throws -> BookNormalizer {
    try BookNormalizer(config: NormalizerConfig(topN: topN, window: .milliseconds(100), snapshotThreshold: threshold))
}

private extension NormalizerEvent {
    var windowOutput: WindowOutput? { if case .window(let w) = self { w } else { nil } }
    var snapshotOutput: WindowOutput? { if case .snapshot(let w) = self { w } else { nil } }
    var ignoredTag: (UInt64, IgnoreReason)? { if case .ignored(let t, let r) = self { (t, r) } else { nil } }
    var isGap: Bool { if case .gap = self { true } else { false } }
}

private func levelDictionary(_ levels: [PriceLevel]) -> [Double: Double] {
    Dictionary(levels.map { ($0.price, $0.quantity) }, uniquingKeysWith: { _, b in b })
}

private let baseMillis: Int64 = 1_795_370_400_000  // a multiple of 100 ms, so window k spans base + 100k ..< base + 100(k+1)

// MARK: - Decoding

@Suite("L2Update decoding")
struct L2DecodingTests {
    static let sample = #"{"symbol":"BTC-USDT","exchange":"binance","type":"delta","event_time":1795370400123,"first_update_id":1001,"last_update_id":1005,"bids":[[43000.1,1.5],[42999.5,0]],"asks":[[43000.2,2.25]]}"#

    @Test func decodesNumbersAndMillisecondTime() throws {
        let u = try decodeOK(Self.sample)
        #expect(u.symbol == "BTC-USDT")
        #expect(u.exchange == "binance")
        #expect(u.kind == .delta)
        #expect(u.eventTimeNanos == 1_795_370_400_123_000_000)
        #expect(u.firstUpdateId == 1001)
        #expect(u.lastUpdateId == 1005)
        #expect(u.prevLastUpdateId == nil)
        #expect(u.intendedNanos == nil)
        #expect(u.eventId == nil)
        #expect(u.bids == [PriceLevel(price: 43000.1, quantity: 1.5), PriceLevel(price: 42999.5, quantity: 0)])
        #expect(u.asks == [PriceLevel(price: 43000.2, quantity: 2.25)])
    }

    @Test func decodesNumericStringsIsoTimeAndOptionalFields() throws {
        let text = """
            { "symbol" : "1000PEPE-USDT", "exchange": "binance", "type": "snapshot",
              "event_time": "2026-11-22T18:00:00.123456789+01:00", "last_update_id": "77",
              "event_id": "ev-\\u00e9\\n1", "intended_ns": 1795370400000000001, "prev_last_update_id": null,
              "bids": [["43000.10", "0.00100000"], ["1e2", "2E-3", 5, "extra"]], "asks": [],
              "unknown": {"nested": [1, true, null, "x"]} }
            """
        let u = try decodeOK(text)
        #expect(u.symbol == "1000PEPE-USDT")
        #expect(u.kind == .snapshot)
        #expect(u.eventTimeNanos == 1_795_366_800_123_456_789)  // 17:00:00.123456789Z
        #expect(u.firstUpdateId == 77, "a snapshot without first_update_id covers exactly its last id")
        #expect(u.lastUpdateId == 77)
        #expect(u.eventId == "ev-é\n1")
        #expect(u.intendedNanos == 1_795_370_400_000_000_001)
        #expect(u.prevLastUpdateId == nil)
        #expect(u.bids == [PriceLevel(price: 43000.10, quantity: 0.001), PriceLevel(price: 100, quantity: 0.002)])
        #expect(u.asks.isEmpty)
    }

    @Test(arguments: [
        ("\"2026-11-22T18:00:00Z\"", Int64(1_795_370_400_000_000_000)),
        ("\"2026-11-22T18:00:00.5z\"", Int64(1_795_370_400_500_000_000)),
        ("\"2026-11-22T13:30:00.001-0430\"", Int64(1_795_370_400_001_000_000)),
        ("\"2024-02-29T00:00:00Z\"", Int64(1_709_164_800_000_000_000)),
        ("\"1795370400123\"", Int64(1_795_370_400_123_000_000)),
        ("0", Int64(0)),
    ])
    func decodesEventTimeForms(time: String, nanos: Int64) throws {
        let u = try decodeOK(Self.sample.replacingOccurrences(of: "1795370400123", with: time))
        #expect(u.eventTimeNanos == nanos)
    }

    @Test func parsesDecimalsExactlyLikeFoundation() {
        var rng = SplitMix64(state: 42)
        for _ in 0..<2000 {
            let intPart = Int.random(in: 0...99_999, using: &rng)
            let frac = Int.random(in: 0...99_999_999, using: &rng)
            let text = "\(intPart).\(String(frac).padding(toLength: 8, withPad: "0", startingAt: 0))"
            let json = Self.sample.replacingOccurrences(of: "43000.1,", with: "\"\(text)\",")
            guard case .success(let u) = decode(json) else { Issue.record("failed on \(text)"); return }
            #expect(u.bids[0].price == Double(text)!, "\(text)")
        }
        for text in ["123456789012345678901234", "0.000000000000000000000000001234", "1.7976931348623157e308", "4.9e-324", "9007199254740993"] {
            let json = Self.sample.replacingOccurrences(of: "43000.1,", with: "\(text),")
            guard case .success(let u) = decode(json) else { Issue.record("failed on \(text)"); continue }
            #expect(u.bids[0].price == Double(text)!, "\(text)")
        }
    }

    /// (replace this, with this, expected description of the error)
    static let badCases: [(String, String, String)] = [
        ("[43000.2,2.25]]", #"[43000.2,2.25],[1,2],[3,4],[5,"abc"]]"#, #"asks[3][1]: expected a non-negative number, got "abc""#),
        (#""BTC-USDT""#, #""btc/usdt""#, #"symbol: expected BASE-QUOTE like BTC-USDT (upper-case letters and digits, one dash, at most 32 characters), got "btc/usdt""#),
        (#""BTC-USDT""#, #""BTCUSDT""#, #"symbol: expected BASE-QUOTE like BTC-USDT (upper-case letters and digits, one dash, at most 32 characters), got "BTCUSDT""#),
        (#""BTC-USDT""#, #""ABCDEFGHIJKLMNOP-ABCDEFGHIJKLMNOP""#, #"symbol: expected BASE-QUOTE like BTC-USDT (upper-case letters and digits, one dash, at most 32 characters), got "ABCDEFGHIJKLMNOP-ABCDEFGHIJKLMNOP""#),
        (#""BTC-USDT""#, "42", "symbol: expected a string like BTC-USDT, got 42"),
        (#""delta""#, #""trade""#, #"type: expected "delta" or "snapshot", got "trade""#),
        (#""last_update_id":1005"#, #""last_update_id":1000"#, "last_update_id: must be >= first_update_id (1001), got 1000"),
        (#""last_update_id":1005"#, #""last_update_id":-5"#, "last_update_id: expected a non-negative integer below 2^63, got -5"),
        (#""first_update_id":1001"#, #""first_update_id":1001.5"#, "first_update_id: expected a non-negative integer below 2^63, got 1001.5"),
        (#""first_update_id":1001"#, #""first_update_id":99999999999999999999"#, "first_update_id: expected a non-negative integer below 2^63, got 99999999999999999999"),
        ("1795370400123", #""2026-11-22T18:00:00""#, #"event_time: expected epoch milliseconds (integer) or an ISO-8601 string with Z or an offset, got "2026-11-22T18:00:00""#),
        ("1795370400123", #""2026-02-30T18:00:00Z""#, #"event_time: expected epoch milliseconds (integer) or an ISO-8601 string with Z or an offset, got "2026-02-30T18:00:00Z""#),
        ("1795370400123", "1795370400123.5", "event_time: expected epoch milliseconds (integer) or an ISO-8601 string with Z or an offset, got 1795370400123.5"),
        ("1795370400123", "true", "event_time: expected epoch milliseconds (integer) or an ISO-8601 string with Z or an offset, got true"),
        ("[43000.1,1.5]", "[-43000.1,1.5]", "bids[0][0]: expected a positive number, got -43000.1"),
        ("[43000.1,1.5]", "[0,1.5]", "bids[0][0]: expected a positive number, got 0"),
        ("[43000.1,1.5]", "[43000.1,-1.5]", "bids[0][1]: expected a non-negative number, got -1.5"),
        ("[43000.1,1.5]", #"[43000.1,"1.5 "]"#, #"bids[0][1]: expected a non-negative number, got "1.5 ""#),
        ("[43000.1,1.5]", "[43000.1,1e400]", "bids[0][1]: expected a non-negative number, got 1e400"),
        ("[43000.1,1.5]", "[43000.1]", "bids[0]: invalid JSON at byte 145: expected ',' and a quantity after the price"),
        ("[43000.1,1.5]", "43000.1", "bids[0]: expected a [price, quantity] pair, got 43000.1"),
        (#""bids":[[43000.1,1.5],[42999.5,0]]"#, #""bids":{"43000.1":1.5}"#, "bids: expected an array of [price, quantity] pairs, got an object"),
        (#""exchange":"binance""#, #""exchange":"""#, #"exchange: expected 1-32 letters, digits, '_', '-' or '.', like "binance", got """#),
        (#""exchange":"binance","#, "", "exchange: required field is missing"),
        (#""bids":[[43000.1,1.5],[42999.5,0]],"#, "", "bids: required field is missing"),
        (#""symbol":"BTC-USDT","#, #""symbol":"BTC-USDT","symbol":"ETH-USDT","#, "symbol: appears twice; send each field once"),
        (#""exchange":"binance""#, #""exchange":"binance","intended_ns":"soon""#, #"intended_ns: expected a non-negative integer below 2^63, got "soon""#),
        (#""exchange":"binance""#, #""exchange":"binance","event_id":7"#, "event_id: expected a string, got 7"),
        (#","asks""#, #",,"asks""#, "$: invalid JSON at byte 164: expected a field name in double quotes"),
        (#""exchange":"binance""#, #""exchange":"binance","extra":[1,}"#, "extra: invalid JSON at byte 53: expected a value"),
        ("2.25]]}", "2.25]]} x", "$: invalid JSON at byte 189: unexpected data after the JSON object"),
        ("2.25]]}", "2.25]", "asks: invalid JSON at byte 186: unterminated array, expected ',' or ']'"),
        ("2.25]]}", "2.25]]", "$: invalid JSON at byte 187: unterminated object, expected ',' or '}'"),
    ]

    @Test(arguments: badCases)
    func rejectsBadFieldNamingIt(replace: String, with replacement: String, expected: String) {
        let text = L2DecodingTests.sample.replacingOccurrences(of: replace, with: replacement)
        #expect(text != L2DecodingTests.sample || replace == replacement)
        switch decode(text) {
        case .success: Issue.record("accepted \(text)")
        case .failure(let e): #expect(e.description == expected)
        }
    }

    @Test func rejectsMissingFirstUpdateIdOnlyForDeltas() {
        let text = Self.sample.replacingOccurrences(of: #""first_update_id":1001,"#, with: "")
        #expect(decode(text).failureDescription == "first_update_id: required field is missing")
    }

    @Test func rejectsNonObjectsAndEmptyInput() {
        #expect(decode("").failureDescription == "$: expected a JSON object, got empty input")
        #expect(decode("[1,2]").failureDescription == "$: expected a JSON object, got an array")
        #expect(decode("{}").failureDescription == "symbol: required field is missing")
    }

    @Test func enforcesPayloadLimit() {
        let size = Self.sample.utf8.count
        #expect(decode(Self.sample, maxPayloadBytes: size).failureDescription == nil)
        #expect(decode(Self.sample, maxPayloadBytes: size - 1).failureDescription
            == "$: payload is \(size) bytes, over the \(size - 1)-byte limit; raise maxPayloadBytes or split the snapshot")
        let big = Self.sample.replacingOccurrences(of: "\"asks\":[", with: "\"asks\":[" + String(repeating: "[1,1],", count: 200_000))
        #expect(decode(big).failureDescription?.hasPrefix("$: payload is") == true)
    }

    @Test func roundTripsGeneratedMessages() throws {
        var gen = FeedGenerator(symbol: "ETH-USD", seed: 7)
        for k in 0..<200 {
            let u = gen.delta(atMillis: baseMillis + Int64(k))
            #expect(try decodeOK(encode(u, stringNumbers: k % 2 == 0, isoTime: k % 3 == 0)) == u)
        }
        let s = gen.snapshot(atMillis: baseMillis)
        #expect(try decodeOK(encode(s)) == s)
    }
}

private extension Result where Failure == L2DecodeError {
    var failureDescription: String? { if case .failure(let e) = self { e.description } else { nil } }
}

// MARK: - Order book

@Suite("OrderBook")
struct OrderBookTests {
    @Test func snapshotKeepsLastOfRepeatedPriceAndDropsZeros() {
        var book = OrderBook()
        book.apply(snapshot: L2Update(
            symbol: "BTC-USDT", exchange: "x", kind: .snapshot, eventTimeNanos: 0, firstUpdateId: 1, lastUpdateId: 1,
            bids: [.init(price: 99, quantity: 1), .init(price: 98, quantity: 0), .init(price: 99, quantity: 3), .init(price: 97, quantity: 2)],
            asks: [.init(price: 101, quantity: 1), .init(price: 100.5, quantity: 4)]))
        #expect(book.levels(.bid) == [.init(price: 99, quantity: 3), .init(price: 97, quantity: 2)])
        #expect(book.levels(.ask) == [.init(price: 100.5, quantity: 4), .init(price: 101, quantity: 1)])
        #expect(book.bestBid == .init(price: 99, quantity: 3))
        #expect(book.bestAsk == .init(price: 100.5, quantity: 4))
        #expect(!book.isCrossed)
        book.set(.bid, price: 100.5, quantity: 1)
        #expect(book.isCrossed, "a locked book counts as crossed")
        book.set(.bid, price: 100.5, quantity: 0)
        #expect(!book.isCrossed)
        #expect(book.quantity(.bid, at: 100.5) == 0)
        #expect(book.topBids(1) == [.init(price: 99, quantity: 3)])
        #expect(book.topAsks(0) == [])
    }

    @Test func matchesDictionaryModelUnderRandomUpdates() {
        var rng = SplitMix64(state: 99)
        var book = OrderBook()
        var model = ReferenceBook()
        for step in 0..<20_000 {
            let bid = Bool.random(using: &rng)
            let price = Double(Int.random(in: 1...3000, using: &rng)) / 4
            let qty = Int.random(in: 0..<3, using: &rng) == 0 ? 0 : Double(Int.random(in: 1...1000, using: &rng))
            book.set(bid ? .bid : .ask, price: price, quantity: qty)
            if bid { model.bids[price] = qty == 0 ? nil : qty } else { model.asks[price] = qty == 0 ? nil : qty }
            if step % 997 == 0 {
                #expect(book.topBids(25) == model.topBids(25))
                #expect(book.topAsks(25) == model.topAsks(25))
            }
        }
        #expect(book.levels(.bid) == model.topBids(.max))
        #expect(book.levels(.ask) == model.topAsks(.max))
        #expect(book.levelCount(.bid) == model.bids.count)
    }
}

// MARK: - Normalizer

@Suite("BookNormalizer")
struct BookNormalizerTests {
    /// Snapshot at window 0, then 50 contiguous deltas, 10 per 100 ms window.
    private static func recordedSequence(seed: UInt64 = 1) -> (snapshot: L2Update, deltas: [L2Update], generator: FeedGenerator) {
        var gen = FeedGenerator(symbol: "BTC-USDT", seed: seed)
        let snapshot = gen.snapshot(atMillis: baseMillis)
        let deltas = (0..<50).map { k in gen.delta(atMillis: baseMillis + Int64(k) * 10 + 5) }
        return (snapshot, deltas, gen)
    }

    @Test func aggregatesContiguousDeltasIntoWindows() throws {
        let (snapshot, deltas, gen) = Self.recordedSequence()
        var n = try normalizer()
        var events = n.ingest(try decodeOK(encode(snapshot)), tag: 0)
        var model = ReferenceBook()
        model.apply(snapshot)
        var modelTopAfterWindow: [Int: ([PriceLevel], [PriceLevel])] = [:]
        for (k, d) in deltas.enumerated() {
            events += n.ingest(try decodeOK(encode(d, stringNumbers: k % 2 == 1, isoTime: k % 5 == 0)), tag: UInt64(k + 1))
            #expect(n.book(for: "BTC-USDT")?.isCrossed == false)
            model.apply(d)
            modelTopAfterWindow[k / 10] = (model.topBids(10), model.topAsks(10))
        }
        #expect(n.pendingTagCount == 10)
        events += n.flushAll()
        #expect(n.pendingTagCount == 0)

        let snapshots = events.compactMap(\.snapshotOutput)
        let windows = events.compactMap(\.windowOutput)
        #expect(snapshots.count == 1)
        #expect(snapshots.first?.topBids == ReferenceBook(bids: levelDictionary(snapshot.bids)).topBids(10))
        #expect(windows.count == 5)
        #expect(events.count == 6, "no gaps, no ignored inputs")
        for (w, window) in windows.enumerated() {
            let slice = deltas[(w * 10)..<(w * 10 + 10)]
            var expectedBids: [Double: Double] = [:], expectedAsks: [Double: Double] = [:]
            for d in slice {
                for l in d.bids { expectedBids[l.price] = l.quantity }
                for l in d.asks { expectedAsks[l.price] = l.quantity }
            }
            #expect(levelDictionary(window.deltaBids) == expectedBids)
            #expect(levelDictionary(window.deltaAsks) == expectedAsks)
            #expect(window.deltaBids.map(\.price) == window.deltaBids.map(\.price).sorted(by: >))
            #expect(window.deltaAsks.map(\.price) == window.deltaAsks.map(\.price).sorted())
            #expect(window.topBids == modelTopAfterWindow[w]!.0)
            #expect(window.topAsks == modelTopAfterWindow[w]!.1)
            #expect(window.updateCount == 10)
            #expect(window.firstUpdateId == slice.first!.firstUpdateId)
            #expect(window.lastUpdateId == slice.last!.lastUpdateId)
            #expect(window.windowStartNanos == (baseMillis + Int64(w) * 100) * 1_000_000)
            #expect(window.windowEndNanos == (baseMillis + Int64(w + 1) * 100) * 1_000_000)
            #expect(window.minEventTimeNanos == slice.first!.eventTimeNanos)
            #expect(window.maxEventTimeNanos == slice.last!.eventTimeNanos)
            #expect(window.maxIntendedNanos == slice.last!.intendedNanos)
            #expect(window.tags == (1...10).map { UInt64(w * 10 + $0) })
            #expect(window.kind == .delta)
        }
        #expect(n.book(for: "BTC-USDT")?.levels(.bid) == gen.reference.topBids(.max))
        #expect(n.book(for: "BTC-USDT")?.levels(.ask) == gen.reference.topAsks(.max))
        let c = n.counters(for: "BTC-USDT")
        #expect(c.updates == 51 && c.windowsEmitted == 5 && c.snapshotsEmitted == 1)
        #expect(c.gaps == 0 && c.stale == 0 && c.skippedWhileResyncing == 0 && c.crossedBooks == 0)
        #expect(n.totalCounters == c)
    }

    /// With `pu` the break shows as a `prev_last_update_id` mismatch, without it as an id jump; both are one gap.
    @Test(arguments: [true, false])
    func gapDropsBookUntilNextSnapshotThenRecovers(withPrevLastUpdateId: Bool) throws {
        let (snapshot, recorded, generator) = Self.recordedSequence(seed: 2)
        var gen = generator
        var deltas = recorded.map { d in
            var d = d
            if !withPrevLastUpdateId { d.prevLastUpdateId = nil }
            return d
        }
        let missing = deltas.remove(at: 23)
        var n = try normalizer()
        var events = n.ingest(snapshot, tag: 1000)
        for (k, d) in deltas.enumerated() { events += n.ingest(d, tag: UInt64(k)) }

        let gaps = events.filter(\.isGap)
        #expect(gaps == [withPrevLastUpdateId
            ? .gap(symbol: "BTC-USDT", expected: deltas[22].lastUpdateId, got: missing.lastUpdateId)
            : .gap(symbol: "BTC-USDT", expected: missing.firstUpdateId, got: deltas[23].firstUpdateId)])
        #expect(n.counters(for: "BTC-USDT").gaps == 1)
        #expect(n.status(of: "BTC-USDT") == .awaitingSnapshot)
        #expect(n.lastUpdateId(of: "BTC-USDT") == nil)
        let windows = events.compactMap(\.windowOutput)
        #expect(windows.count == 2, "windows 0 and 1 closed before the gap; window 2 was discarded")
        #expect(windows.allSatisfy { $0.lastUpdateId < missing.firstUpdateId })
        let ignored = events.compactMap(\.ignoredTag)
        #expect(ignored.filter { $0.1 == .discardedByResync }.map(\.0) == [20, 21, 22])
        #expect(ignored.filter { $0.1 == .gap }.map(\.0) == [23])
        #expect(ignored.filter { $0.1 == .awaitingSnapshot }.map(\.0) == Array(24..<49))
        #expect(n.counters(for: "BTC-USDT").skippedWhileResyncing == 25)
        #expect(n.counters(for: "BTC-USDT").discardedByResync == 3)
        #expect(n.flushAll().isEmpty, "nothing from the broken book is pending")

        // Recovery: a fresh snapshot of the independent model, then more deltas.
        gen.lastId += 10  // the exchange moved on while we resynced
        var tail = n.ingest(gen.snapshot(atMillis: baseMillis + 520), tag: 2000)
        #expect(tail.compactMap(\.snapshotOutput).first?.topBids == gen.reference.topBids(10))
        for k in 0..<20 { tail += n.ingest(gen.delta(atMillis: baseMillis + 530 + Int64(k) * 10), tag: UInt64(3000 + k)) }
        tail += n.flushAll()
        #expect(n.status(of: "BTC-USDT") == .live)
        let last = try #require(tail.compactMap(\.windowOutput).last)
        #expect(last.topBids == gen.reference.topBids(10))
        #expect(last.topAsks == gen.reference.topAsks(10))
        #expect(n.book(for: "BTC-USDT")?.levels(.bid) == gen.reference.topBids(.max))
        #expect(n.book(for: "BTC-USDT")?.levels(.ask) == gen.reference.topAsks(.max))
        #expect(tail.compactMap(\.windowOutput).flatMap(\.tags) == (3000..<3020).map(UInt64.init))
    }

    @Test func staleDeltasAreIgnoredAndOverlapsApply() throws {
        var n = try normalizer()
        let t0 = baseMillis * 1_000_000
        func delta(_ first: Int64, _ last: Int64, bid: Double) -> L2Update {
            L2Update(symbol: "ETH-USD", exchange: "coinbase", kind: .delta, eventTimeNanos: t0 + last * 1_000_000,
                     firstUpdateId: first, lastUpdateId: last, bids: [.init(price: bid, quantity: 1)], asks: [])
        }
        #expect(n.ingest(delta(1, 2, bid: 1), tag: 1) == [.ignored(tag: 1, reason: .awaitingSnapshot)])
        _ = n.ingest(L2Update(symbol: "ETH-USD", exchange: "coinbase", kind: .snapshot, eventTimeNanos: t0, firstUpdateId: 10,
                              lastUpdateId: 10, bids: [.init(price: 99, quantity: 1)], asks: [.init(price: 101, quantity: 1)]), tag: 2)
        #expect(n.ingest(delta(5, 10, bid: 50), tag: 3) == [.ignored(tag: 3, reason: .stale)])
        #expect(n.ingest(delta(8, 12, bid: 60), tag: 4) == [], "straddles lastUpdateId + 1, so it applies")
        #expect(n.ingest(delta(11, 12, bid: 70), tag: 5) == [.ignored(tag: 5, reason: .stale)])
        #expect(n.ingest(delta(13, 13, bid: 80), tag: 6) == [])
        let out = n.flushAll().compactMap(\.windowOutput)
        #expect(out.count == 1)
        #expect(out.first?.tags == [4, 6])
        #expect(out.first.map { levelDictionary($0.deltaBids) } == [60: 1, 80: 1])
        #expect(out.first?.firstUpdateId == 8)
        #expect(out.first?.lastUpdateId == 13)
        let c = n.counters(for: "ETH-USD")
        #expect(c.stale == 2 && c.skippedWhileResyncing == 1 && c.gaps == 0 && c.updates == 6)
    }

    @Test func prevLastUpdateIdChainsDeltasAndMismatchIsAGap() throws {
        var n = try normalizer()
        let t0 = baseMillis * 1_000_000
        func delta(_ first: Int64, _ last: Int64, pu: Int64?) -> L2Update {
            L2Update(symbol: "BTC-USDT", exchange: "binance", kind: .delta, eventTimeNanos: t0, firstUpdateId: first,
                     lastUpdateId: last, prevLastUpdateId: pu, bids: [.init(price: 99, quantity: Double(last))], asks: [])
        }
        _ = n.ingest(L2Update(symbol: "BTC-USDT", exchange: "binance", kind: .snapshot, eventTimeNanos: t0, firstUpdateId: 100,
                              lastUpdateId: 100, bids: [], asks: [.init(price: 101, quantity: 1)]), tag: 0)
        #expect(n.ingest(delta(95, 103, pu: 90), tag: 1) == [], "the first delta straddles the snapshot; its pu predates it")
        #expect(n.ingest(delta(110, 112, pu: 103), tag: 2) == [], "futures ids skip: pu == previous last id is continuity")
        #expect(n.ingest(delta(113, 115, pu: 111), tag: 3) == [
            .gap(symbol: "BTC-USDT", expected: 112, got: 111),
            .ignored(tag: 1, reason: .discardedByResync), .ignored(tag: 2, reason: .discardedByResync),
            .ignored(tag: 3, reason: .gap),
        ])
        #expect(n.counters(for: "BTC-USDT").gaps == 1)
        #expect(n.status(of: "BTC-USDT") == .awaitingSnapshot)

        // Without pu, an id jump is a gap.
        _ = n.ingest(L2Update(symbol: "BTC-USDT", exchange: "binance", kind: .snapshot, eventTimeNanos: t0, firstUpdateId: 200,
                              lastUpdateId: 200, bids: [], asks: [.init(price: 101, quantity: 1)]), tag: 4)
        #expect(n.ingest(delta(203, 204, pu: nil), tag: 5) == [
            .gap(symbol: "BTC-USDT", expected: 201, got: 203), .ignored(tag: 5, reason: .gap),
        ])
        #expect(n.counters(for: "BTC-USDT").gaps == 2)
    }

    @Test func crossedBookResyncs() throws {
        var n = try normalizer()
        let t0 = baseMillis * 1_000_000
        func update(_ kind: L2UpdateKind, _ id: Int64, bids: [PriceLevel], asks: [PriceLevel]) -> L2Update {
            L2Update(symbol: "SOL-USDT", exchange: "okx", kind: kind, eventTimeNanos: t0 + id * 1_000_000,
                     firstUpdateId: id, lastUpdateId: id, bids: bids, asks: asks)
        }
        _ = n.ingest(update(.snapshot, 1, bids: [.init(price: 99.9, quantity: 1)], asks: [.init(price: 100.1, quantity: 1)]), tag: 1)
        #expect(n.ingest(update(.delta, 2, bids: [.init(price: 100.0, quantity: 2)], asks: []), tag: 2) == [])
        #expect(n.ingest(update(.delta, 3, bids: [.init(price: 100.1, quantity: 1)], asks: []), tag: 3) == [
            .ignored(tag: 2, reason: .discardedByResync), .ignored(tag: 3, reason: .crossed),
        ])
        #expect(n.counters(for: "SOL-USDT").crossedBooks == 1)
        #expect(n.status(of: "SOL-USDT") == .awaitingSnapshot)
        #expect(n.book(for: "SOL-USDT")?.isEmpty == true)
        #expect(n.ingest(update(.delta, 4, bids: [], asks: []), tag: 4) == [.ignored(tag: 4, reason: .awaitingSnapshot)])
        // A crossed snapshot cannot be trusted either.
        #expect(n.ingest(update(.snapshot, 5, bids: [.init(price: 101, quantity: 1)], asks: [.init(price: 100, quantity: 1)]), tag: 5)
            == [.ignored(tag: 5, reason: .crossed)])
        #expect(n.counters(for: "SOL-USDT").crossedBooks == 2)
        let ok = n.ingest(update(.snapshot, 6, bids: [.init(price: 99, quantity: 1)], asks: [.init(price: 100, quantity: 1)]), tag: 6)
        #expect(ok.compactMap(\.snapshotOutput).map(\.tags) == [[6]])
        #expect(n.status(of: "SOL-USDT") == .live)
    }

    /// Each delta lands in its own window; returns snapshotEmitted per window.
    private static func thresholdRun(_ threshold: Double) throws -> [Bool] {
        var n = try normalizer(topN: 3, threshold: threshold)
        let t0 = baseMillis * 1_000_000
        var id: Int64 = 1
        var events = n.ingest(L2Update(
            symbol: "BTC-USDT", exchange: "binance", kind: .snapshot, eventTimeNanos: t0, firstUpdateId: 1, lastUpdateId: 1,
            bids: [.init(price: 100.00, quantity: 1), .init(price: 99.99, quantity: 1), .init(price: 99.98, quantity: 1), .init(price: 99, quantity: 5)],
            asks: [.init(price: 100.10, quantity: 1), .init(price: 100.11, quantity: 1), .init(price: 100.12, quantity: 1)]), tag: 0)
        let steps: [(BookSide, Double, Double)] = [
            (.bid, 99.98, 1.0001),  // top-3 bid quantity +0.33 bp
            (.bid, 99, 6),  // outside the top 3
            (.bid, 100.06, 1),  // best bid +6 bps
            (.bid, 100.07, 1),  // best bid +1 bp, same top-3 quantity
            (.ask, 100.10, 1.01),  // top-3 ask quantity +33 bps
        ]
        for (k, (side, price, qty)) in steps.enumerated() {
            id += 1
            let level = [PriceLevel(price: price, quantity: qty)]
            events += n.ingest(L2Update(
                symbol: "BTC-USDT", exchange: "binance", kind: .delta, eventTimeNanos: t0 + Int64(k + 1) * 100_000_000,
                firstUpdateId: id, lastUpdateId: id, bids: side == .bid ? level : [], asks: side == .ask ? level : []), tag: UInt64(id))
        }
        events += n.flushAll()
        let windows = events.compactMap(\.windowOutput)
        #expect(windows.count == 5)
        #expect(windows.allSatisfy { $0.topBids.count == 3 && $0.topAsks.count == 3 }, "top N is always carried")
        #expect(n.counters(for: "BTC-USDT").windowsWithTopN == windows.filter(\.snapshotEmitted).count)
        return windows.map(\.snapshotEmitted)
    }

    @Test func snapshotThresholdZeroEmitsOnAnyTopNChange() throws {
        #expect(try Self.thresholdRun(0) == [true, false, true, true, true])
    }

    @Test func snapshotThresholdFiveBpsEmitsOnlyOnLargeMoves() throws {
        #expect(try Self.thresholdRun(0.0005) == [false, false, true, false, true])
    }

    @Test func flushClosesOnlyEndedWindowsAndLateEventsJoinOpenWindow() throws {
        var n = try normalizer()
        let ms: Int64 = 1_000_000
        let t0 = baseMillis * ms
        func update(_ sym: String, _ kind: L2UpdateKind, _ id: Int64, at t: Int64) -> L2Update {
            L2Update(symbol: sym, exchange: "binance", kind: kind, eventTimeNanos: t, firstUpdateId: id, lastUpdateId: id,
                     bids: [.init(price: Double(90 + id % 5), quantity: 1)], asks: [.init(price: 101, quantity: Double(id))])
        }
        _ = n.ingest(update("AAA-USD", .snapshot, 1, at: t0), tag: 1)
        _ = n.ingest(update("BBB-USD", .snapshot, 1, at: t0), tag: 2)
        #expect(n.ingest(update("AAA-USD", .delta, 2, at: t0 + 150 * ms), tag: 3).isEmpty)
        #expect(n.ingest(update("AAA-USD", .delta, 3, at: t0 + 90 * ms), tag: 4).isEmpty, "an earlier event time joins the open window")
        #expect(n.ingest(update("BBB-USD", .delta, 2, at: t0 + 250 * ms), tag: 5).isEmpty)
        #expect(n.flush(upTo: t0 + 199 * ms).isEmpty)
        let first = n.flush(upTo: t0 + 200 * ms).compactMap(\.windowOutput)
        #expect(first.map(\.symbol) == ["AAA-USD"])
        #expect(first.first?.tags == [3, 4])
        #expect(first.first?.minEventTimeNanos == t0 + 90 * ms)
        #expect(first.first?.windowStartNanos == t0 + 100 * ms)
        #expect(n.flushAll().compactMap(\.windowOutput).map(\.tags) == [[5]])
    }

    @Test func busJSONCarriesTheWindow() throws {
        let (snapshot, deltas, _) = Self.recordedSequence(seed: 3)
        var n = try normalizer()
        _ = n.ingest(snapshot, tag: 0)
        for (k, d) in deltas.prefix(10).enumerated() { _ = n.ingest(d, tag: UInt64(k + 1)) }
        let window = try #require(n.flushAll().compactMap(\.windowOutput).first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(window.jsonForBus().utf8)) as? [String: Any])
        #expect(object["symbol"] as? String == "BTC-USDT")
        #expect(object["exchange"] as? String == "binance")
        #expect(object["update_type"] as? String == "delta")
        #expect((object["window_start_ms"] as? NSNumber)?.int64Value == baseMillis)
        #expect((object["window_end_ms"] as? NSNumber)?.int64Value == baseMillis + 100)
        #expect((object["update_count"] as? NSNumber)?.intValue == 10)
        #expect((object["first_update_id"] as? NSNumber)?.int64Value == deltas[0].firstUpdateId)
        #expect((object["last_update_id"] as? NSNumber)?.int64Value == deltas[9].lastUpdateId)
        #expect((object["max_intended_ns"] as? NSNumber)?.int64Value == deltas[9].intendedNanos)
        #expect(object["snapshot_emitted"] as? Bool == window.snapshotEmitted)
        func levels(_ key: String) -> [PriceLevel]? {
            (object[key] as? [[NSNumber]])?.map { PriceLevel(price: $0[0].doubleValue, quantity: $0[1].doubleValue) }
        }
        #expect(levels("delta_bids") == window.deltaBids)
        #expect(levels("delta_asks") == window.deltaAsks)
        #expect(levels("top_bids") == window.topBids)
        #expect(levels("top_asks") == window.topAsks)
        #expect(window.topBids.count == 10)
    }

    @Test func busNumbersReadBackExactly() throws {
        var rng = SplitMix64(state: 5)
        var values: [Double] = [0, 1, 0.1, 0.1 + 0.2, 43000.1, 1e-9, 0.00000001, 123456789.12345678, 1e20, .leastNonzeroMagnitude,
                                1.7976931348623157e308, 90071992.54740993, 1.0 / 3.0, 99999999.99999999]
        for _ in 0..<5000 {
            values.append(Double(Int.random(in: 1...10_000_000_000, using: &rng)) / [1, 100, 1e4, 1e8][Int.random(in: 0..<4, using: &rng)])
            values.append(Double(bitPattern: UInt64.random(in: 0x3E00_0000_0000_0000...0x4300_0000_0000_0000, using: &rng)))
        }
        var w = JSONBytes(capacity: 0)
        w.levels(values.map { PriceLevel(price: $0, quantity: $0) })
        // Read back with Double(String), which rounds correctly; Linux JSONSerialization can be an ulp off on 17-digit text.
        #expect(try JSONSerialization.jsonObject(with: Data(w.string.utf8)) is [[NSNumber]], "valid JSON")
        let tokens = w.string.split { "[],".contains($0) }.map { Double(String($0)) }
        let expected = values.flatMap { [$0, $0] }
        let mismatches = zip(tokens, expected).filter { $0.0 != $0.1 }
        #expect(tokens.count == expected.count)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        var short = JSONBytes(capacity: 0)
        short.levels([PriceLevel(price: 43000.1, quantity: 2), PriceLevel(price: 0.00012, quantity: 1e-8)])
        #expect(short.string == "[[43000.1,2],[0.00012,0.00000001]]")
        var ints = JSONBytes(capacity: 0)
        ints.integer(0)
        ints.raw(",")
        ints.integer(-1_795_370_400_123)
        ints.raw(",")
        ints.integer(.min)
        #expect(ints.string == "0,-1795370400123,-9223372036854775808")
        var quoted = JSONBytes(capacity: 0)
        quoted.quoted("a\"b\\c\u{01}é")
        #expect(quoted.string == #""a\"b\\c\u0001é""#)
    }

    @Test func rejectsBadConfigNamingTheSetting() {
        #expect(throws: NormalizerConfigError(field: "topN", message: "must be between 1 and 1000, got 0")) {
            try BookNormalizer(config: NormalizerConfig(topN: 0))
        }
        #expect(throws: NormalizerConfigError.self) { try BookNormalizer(config: NormalizerConfig(window: .zero)) }
        #expect(throws: NormalizerConfigError(field: "snapshotThreshold", message: "must be a fraction in [0, 1), e.g. 0.0005 for 5 bps, got -1.0")) {
            try BookNormalizer(config: NormalizerConfig(snapshotThreshold: -1))
        }
    }

    /// Several symbols, thousands of updates, random drops (gaps), duplicates (stale), pu-less deltas, late snapshots and flushes.
    @Test(arguments: [UInt64(11), 12, 13])
    func everyTagComesBackExactlyOnceAndRowsComeOnlyFromIntactBooks(seed: UInt64) throws {
        var rng = SplitMix64(state: seed)
        let symbols = ["BTC-USDT", "ETH-USDT", "SOL-USD", "1000PEPE-USDT"]
        var gens = symbols.enumerated().map { FeedGenerator(symbol: $1, seed: seed &* 31 &+ UInt64($0)) }
        var n = try normalizer(topN: 5)
        var events: [NormalizerEvent] = []
        var inputs: [UInt64: L2Update] = [:]
        var nextTag: UInt64 = 0
        var clockMs = baseMillis
        var needsSnapshot = Array(repeating: true, count: symbols.count)
        var lastSent = Array(repeating: L2Update?.none, count: symbols.count)

        func send(_ u: L2Update) throws {
            inputs[nextTag] = u
            // Half go through the JSON path, so decoding is exercised on the same stream.
            let decoded = nextTag % 2 == 0 ? u : try decodeOK(encode(u, stringNumbers: nextTag % 4 == 1))
            events += n.ingest(decoded, tag: nextTag)
            nextTag += 1
        }

        for _ in 0..<4000 {
            clockMs += Int64.random(in: 0...30, using: &rng)
            let s = Int.random(in: 0..<symbols.count, using: &rng)
            let roll = Int.random(in: 0..<100, using: &rng)
            if needsSnapshot[s] && roll < 10 {
                try send(gens[s].snapshot(atMillis: clockMs))
                needsSnapshot[s] = false
                continue
            }
            var d = gens[s].delta(atMillis: clockMs)
            if roll < 13 { d.prevLastUpdateId = nil }
            if roll >= 97 {
                needsSnapshot[s] = true  // dropped: the generator's model moves on, the normaliser never sees it
                continue
            }
            try send(d)
            if roll >= 94, let previous = lastSent[s] { try send(previous) }  // redelivery: stale
            lastSent[s] = d
            if roll == 50 { events += n.flush(upTo: clockMs * 1_000_000) }
        }
        // A final delta per symbol exposes any drop not yet noticed.
        for s in symbols.indices { try send(gens[s].delta(atMillis: clockMs + 1)) }
        events += n.flushAll()

        // Exactly once.
        var seen: [UInt64: Int] = [:]
        for e in events {
            switch e {
            case .window(let w), .snapshot(let w): for t in w.tags { seen[t, default: 0] += 1 }
            case .ignored(let t, _): seen[t, default: 0] += 1
            case .gap: break
            }
        }
        #expect(seen.count == inputs.count)
        #expect(seen.values.allSatisfy { $0 == 1 })
        #expect(n.pendingTagCount == 0)

        // Rows only from intact books: per symbol, the inputs folded into windows chain on from the last snapshot,
        // and nothing is emitted between a gap and the next snapshot.
        var chain: [String: Int64] = [:]
        var gapEvents = 0
        for e in events {
            switch e {
            case .snapshot(let w):
                #expect(inputs[w.tags[0]]!.kind == .snapshot)
                chain[w.symbol] = w.lastUpdateId
            case .window(let w):
                var last = try #require(chain[w.symbol], "window for \(w.symbol) without a preceding snapshot")
                var expected = ReferenceBook()
                for t in w.tags {
                    let u = inputs[t]!
                    #expect(u.kind == .delta && u.symbol == w.symbol)
                    #expect(u.firstUpdateId <= last + 1 && u.lastUpdateId > last)
                    last = u.lastUpdateId
                    for l in u.bids { expected.bids[l.price] = l.quantity }
                    for l in u.asks { expected.asks[l.price] = l.quantity }
                }
                chain[w.symbol] = last
                #expect(levelDictionary(w.deltaBids) == expected.bids)
                #expect(levelDictionary(w.deltaAsks) == expected.asks)
                #expect(w.topBids.count <= 5 && w.topAsks.count <= 5)
                if let b = w.topBids.first, let a = w.topAsks.first { #expect(b.price < a.price) }
            case .gap(let symbol, _, _):
                gapEvents += 1
                chain[symbol] = nil
            case .ignored(let t, let reason):
                if reason == .stale { #expect(inputs[t]!.kind == .delta) }
            }
        }
        let total = n.totalCounters
        #expect(gapEvents == total.gaps)
        #expect(total.gaps > 10, "the run must actually exercise gaps")
        #expect(total.stale > 10)
        #expect(total.skippedWhileResyncing > 10)
        #expect(total.updates == inputs.count)
        #expect(total.crossedBooks == 0)
        #expect(total == symbols.map { n.counters(for: $0) }.reduce(NormalizerCounters(), +))

        // Live books equal the independent model.
        for (s, symbol) in symbols.enumerated() where n.status(of: symbol) == .live {
            #expect(n.book(for: symbol)?.levels(.bid) == gens[s].reference.topBids(.max))
            #expect(n.book(for: symbol)?.levels(.ask) == gens[s].reference.topAsks(.max))
        }
    }
}
