import FeedAdapters
import Foundation
import Generators
import MarketData
import RiskSignalCore
import Zstd

/// Parse rate of the wire toolkit's hot paths (L2 decode, each exchange adapter, the L2 writer) in messages/s and
/// MB/s, with Foundation's `JSONDecoder` decoding the same messages beside each for scale. No I/O while timed.
public struct WireBenchmark: Sendable {
    /// Messages per timed run of each path (a corpus is cycled until this many).
    public var messages: Int
    public var repeats: Int
    /// The repository's `fixtures/` folder (exchange samples and the Coinbase recording).
    public var fixtures: URL

    public init(messages: Int = 200_000, repeats: Int = 5, fixtures: URL) {
        self.messages = messages
        self.repeats = repeats
        self.fixtures = fixtures
    }

    /// One measured path: messages/s and MB/s of each repeat.
    public struct Result: Sendable {
        public var name: String
        public var messagesPerSecond: [Double]
        public var megabytesPerSecond: [Double]
        /// Messages the path rejected per pass over the corpus (the same before and after a change, or the change broke something).
        public var rejected: Int
        public var corpus: Int

        public var medianMessages: Double { Self.median(messagesPerSecond) }
        public var medianMegabytes: Double { Self.median(megabytesPerSecond) }

        static func median(_ v: [Double]) -> Double {
            let s = v.sorted()
            return s.isEmpty ? 0 : s[s.count / 2]
        }
    }

    /// A set of messages and the function that parses one (returns a value folded into a checksum so nothing is optimised away).
    struct Path {
        var name: String
        var corpus: [[UInt8]]
        /// Parses the first n messages of the corpus, in order, with fresh state; returns (checksum, rejected).
        var pass: ([[UInt8]], Int) -> (Int, Int)
        /// JSONDecoder paths run a tenth of the messages: they are an order of magnitude slower and only give scale.
        var share = 1
    }

    public func run(progress: (String) -> Void) throws -> [Result] {
        var results: [Result] = []
        for path in try paths() {
            var rates: [Double] = [], mbs: [Double] = []
            var rejected = 0
            let bytesPerPass = path.corpus.reduce(0) { $0 + $1.count }
            let count = max(1, messages / path.share)
            for r in 0..<repeats {
                var done = 0, bytes = 0, sum = 0
                rejected = 0
                let clock = ContinuousClock()
                let start = clock.now
                while done < count {
                    let n = min(path.corpus.count, count - done)
                    let (s, bad) = path.pass(path.corpus, n)
                    sum &+= s
                    if done == 0 { rejected = bad }
                    done += n
                    bytes += n == path.corpus.count ? bytesPerPass : path.corpus[..<n].reduce(0) { $0 + $1.count }
                }
                let seconds = (clock.now - start).seconds
                rates.append(Double(done) / seconds)
                mbs.append(Double(bytes) / seconds / 1e6)
                progress(String(format: "%@ run %d: %.0f msg/s, %.1f MB/s (checksum %d)", path.name, r + 1, rates.last!, mbs.last!, sum & 0xFFFF))
            }
            results.append(Result(name: path.name, messagesPerSecond: rates, megabytesPerSecond: mbs, rejected: rejected, corpus: path.corpus.count))
        }
        return results
    }

    func paths() throws -> [Path] {
        var out: [Path] = []
        // L2: generated payloads of the default L2 workload (snapshots of 50 levels, then 1–3-update deltas).
        var generator = try L2Generator(seed: 42)
        var t: Int64 = 1_795_000_000_000_000_000
        let l2: [[UInt8]] = (0..<20_000).map { _ in t += 100_000; return generator.next(at: t).payload }
        out.append(Path(name: "l2 decode", corpus: l2) { corpus, n in
            var sum = 0, bad = 0
            for k in 0..<n {
                switch corpus[k].withUnsafeBytes({ L2Update.decode($0) }) {
                case .success(let u): sum &+= u.bids.count &+ u.asks.count
                case .failure: bad += 1
                }
            }
            return (sum, bad)
        })
        out.append(Path(name: "l2 JSONDecoder", corpus: l2, pass: { corpus, n in Self.decodeAll(L2Codable.self, corpus, n) }, share: 10))
        let updates = l2.compactMap { try? L2Update.decode(Data($0)).get() }
        out.append(Path(name: "l2 encode", corpus: l2) { _, n in
            var sum = 0
            for k in 0..<n { sum &+= updates[k].jsonPayload(intendedNanos: 1_795_000_000_000_000_000).count }
            return (sum, 0)
        })

        let exchanges = fixtures.appendingPathComponent("exchanges")
        func lines(_ data: Data) -> [[UInt8]] { data.split(separator: UInt8(ascii: "\n")).map { Array($0) }.filter { !$0.isEmpty } }
        let venues: [(String, String, @Sendable () -> any FeedAdapter)] = [
            ("binance-spot", "binance-spot.jsonl", { BinanceAdapter(market: .spot, defaultSymbol: "BNBBTC") }),
            ("binance-futures", "binance-futures.jsonl", { BinanceAdapter(market: .usdmFutures, defaultSymbol: "BTCUSDT") }),
            ("bitmex", "bitmex.jsonl", { BitMEXAdapter() }),
            ("bybit", "bybit.jsonl", { BybitAdapter() }),
        ]
        var corpora: [(String, [[UInt8]], @Sendable () -> any FeedAdapter)] = []
        for (name, file, make) in venues {
            corpora.append((name, lines(try Data(contentsOf: exchanges.appendingPathComponent(file))), make))
        }
        // Coinbase: the received messages of the real recording (`<ts>: <json>` lines; connect/sent lines start with the URL).
        let coinbase = Data(try Zstd.decompress(try Data(contentsOf: fixtures.appendingPathComponent("coinbase/coinbase-l2update-20210417.cryptofeed.txt.zst"))))
        let received: [[UInt8]] = lines(coinbase).compactMap { line in
            guard line.first != UInt8(ascii: "w"), let colon = line.firstIndex(of: UInt8(ascii: ":")), colon + 2 < line.count else { return nil }
            return Array(line[(colon + 2)...])
        }
        corpora.append(("coinbase", received, { CoinbaseAdapter() }))

        for (name, corpus, make) in corpora {
            out.append(Path(name: "\(name) adapt", corpus: corpus) { corpus, n in
                var adapter = make()
                var sum = 0, bad = 0
                for k in 0..<n {
                    do { sum &+= try Self.adapt(&adapter, corpus[k]) } catch { bad += 1 }
                }
                return (sum, bad)
            })
            out.append(Path(name: "\(name) JSONDecoder", corpus: corpus, pass: { corpus, n in Self.decodeAll(AnyJSON.self, corpus, n) }, share: 10))
        }
        return out
    }

    static func adapt<A: FeedAdapter>(_ adapter: inout A, _ message: [UInt8]) throws(AdapterError) -> Int {
        try adapter.adapt(message, receivedNanos: 1_700_000_000_000_000_000).count
    }

    static func adapt(_ adapter: inout any FeedAdapter, _ message: [UInt8]) throws(AdapterError) -> Int {
        try adapter.adapt(message, receivedNanos: 1_700_000_000_000_000_000).count
    }

    static func decodeAll<T: Decodable>(_ type: T.Type, _ corpus: [[UInt8]], _ n: Int) -> (Int, Int) {
        let decoder = JSONDecoder()
        var sum = 0, bad = 0
        for k in 0..<n {
            if (try? decoder.decode(T.self, from: Data(corpus[k]))) != nil { sum &+= 1 } else { bad += 1 }
        }
        return (sum, bad)
    }
}

/// The L2 wire shape as a `Codable` struct, the straightforward Foundation way.
private struct L2Codable: Decodable {
    var symbol: String
    var exchange: String
    var type: String
    var event_time: Int64
    var first_update_id: Int64?
    var last_update_id: Int64
    var prev_last_update_id: Int64?
    var bids: [[Double]]
    var asks: [[Double]]
    var event_id: String?
    var intended_ns: Int64?
}

/// Any JSON value, so `JSONDecoder` reads every exchange message in full without a schema per venue.
private enum AnyJSON: Decodable {
    case null, bool(Bool), number(Double), string(String), array([AnyJSON]), object([String: AnyJSON])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([AnyJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: AnyJSON].self)) }
    }
}
