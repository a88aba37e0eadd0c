import Foundation
import RiskSignalCore

/// Seed 000's mock transaction events on `signals.transaction`.
public struct SignalEventSource: EventSource {
    var generator: TestSignalGenerator
    public init(seed: UInt64) { generator = TestSignalGenerator(seed: seed) }

    public mutating func next(at time: Timestamp) -> OutgoingMessage {
        let s = generator.next(at: time)
        return OutgoingMessage(subject: "signals.transaction", text: s.messageJSON(), headers: [(MessageHeader.traceID, s.traceID)], messageID: s.traceID)
    }
}

/// Simple trades on `market.trades.<symbol>` around a drifting price (manual testing; rsbench has the realistic generator).
public struct TradeEventSource: EventSource {
    var rng: SplitMix64
    var prices: [Double]
    var tradeID: UInt64 = 0
    public let symbols: [String]

    public init(seed: UInt64, symbols: [String] = ["BTC-USDT", "ETH-USDT", "SOL-USDT"]) {
        rng = SplitMix64(seed: seed)
        self.symbols = symbols
        prices = symbols.map { $0.hasPrefix("BTC") ? 43_000 : $0.hasPrefix("ETH") ? 2_300 : 100 }
    }

    public mutating func next(at time: Timestamp) -> OutgoingMessage {
        let i = Int(rng.next() % UInt64(symbols.count))
        prices[i] *= 1 + (Double(rng.next() % 2001) - 1000) / 1e6
        tradeID += 1
        let qty = Double(1 + rng.next() % 5000) / 1000
        let side = rng.next() % 2 == 0 ? "BUY" : "SELL"
        let json = "{\"symbol\":\"\(symbols[i])\",\"exchange\":\"sim\",\"event_time\":\(time.nanosSinceEpoch / 1_000_000),\"trade_id\":\(tradeID),\"price\":\((prices[i] * 100).rounded() / 100),\"quantity\":\(qty),\"side\":\"\(side)\",\"taker\":true,\"order_id\":\(rng.next() % 1_000_000)}"
        return OutgoingMessage(subject: "market.trades.\(symbols[i])", text: json, messageID: "sim:\(symbols[i]):\(tradeID)")
    }
}

/// Order lifecycles (new → partial fill → fill or cancel) on `user.actions.orders`.
public struct OrderEventSource: EventSource {
    var rng: SplitMix64
    var open: [(user: UInt64, order: UInt64, symbol: String, side: String, price: Double, qty: Double, filled: Double)] = []
    var nextOrder: UInt64 = 1

    public init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    public mutating func next(at time: Timestamp) -> OutgoingMessage {
        var status = "new"
        var o: (user: UInt64, order: UInt64, symbol: String, side: String, price: Double, qty: Double, filled: Double)
        if open.count > 50 || (!open.isEmpty && rng.next() % 2 == 0) {
            let idx = Int(rng.next() % UInt64(open.count))
            o = open[idx]
            switch rng.next() % 3 {
            case 0: status = "canceled"; open.remove(at: idx)
            case 1: o.filled = o.qty; status = "filled"; open.remove(at: idx)
            default: o.filled = min(o.qty, o.filled + o.qty / 4); status = "partially_filled"; open[idx] = o
            }
        } else {
            let symbols = ["BTC-USDT", "ETH-USDT", "SOL-USDT"]
            o = (1 + rng.next() % 200, nextOrder, symbols[Int(rng.next() % 3)], rng.next() % 2 == 0 ? "BUY" : "SELL",
                 Double(100 + rng.next() % 1000), Double(1 + rng.next() % 100) / 10, 0)
            nextOrder += 1
            open.append(o)
        }
        let json = "{\"event_time\":\(time.nanosSinceEpoch / 1_000_000),\"user_id\":\(o.user),\"order_id\":\(o.order),\"symbol\":\"\(o.symbol)\",\"side\":\"\(o.side)\",\"type\":\"limit\",\"price\":\(o.price),\"quantity\":\(o.qty),\"filled_quantity\":\(o.filled),\"status\":\"\(status)\"}"
        return OutgoingMessage(subject: "user.actions.orders", text: json)
    }
}

/// sendBeacon-style batches of browser events on `frontend.events.web`.
public struct FrontendEventSource: EventSource {
    var rng: SplitMix64
    var session: UInt64 = 0

    public init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    public mutating func next(at time: Timestamp) -> OutgoingMessage {
        session += 1
        let pages = ["/", "/markets", "/trade/BTC-USDT", "/wallet", "/orders"]
        let n = 1 + Int(rng.next() % 8)
        var events: [String] = []
        for i in 0..<n {
            let t = time.nanosSinceEpoch / 1_000_000 - Int64(n - i) * 250
            let type = ["page_view", "click", "scroll", "input"][Int(rng.next() % 4)]
            events.append("{\"event_time\":\(t),\"event_type\":\"\(type)\",\"element\":\"#el\(rng.next() % 20)\",\"properties\":{\"page\":\"\(pages[Int(rng.next() % 5)])\"}}")
        }
        let json = "{\"session_id\":\"sess-\(session)\",\"user_id\":\(rng.next() % 500),\"sent_at\":\(time.nanosSinceEpoch / 1_000_000),\"events\":[\(events.joined(separator: ","))]}"
        return OutgoingMessage(subject: "frontend.events.web", text: json)
    }
}

/// Social posts with sentiment words and slang on `social.raw.<source>`.
public struct SocialEventSource: EventSource {
    var rng: SplitMix64
    var id: UInt64 = 0

    public init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    public mutating func next(at time: Timestamp) -> OutgoingMessage {
        id += 1
        let symbols = ["BTC-USDT", "ETH-USDT", "SOL-USDT"]
        let templates = ["$%@ to the moon 🚀🚀", "%@ looks bearish, expecting a dump", "not sure about %@ today",
                         "%@ rug pull incoming?? stay safe", "wagmi %@ holders 💎🙌", "%@ breaking out, very bullish!"]
        let sources = ["twitter", "reddit", "telegram", "news"]
        let symbol = symbols[Int(rng.next() % 3)]
        let text = templates[Int(rng.next() % UInt64(templates.count))].replacingOccurrences(of: "%@", with: String(symbol.prefix { $0 != "-" }))
        let source = sources[Int(rng.next() % 4)]
        let json = "{\"event_id\":\"post-\(id)\",\"event_time\":\(time.nanosSinceEpoch / 1_000_000),\"source\":\"\(source)\",\"symbol\":\"\(symbol)\",\"language\":\"en\",\"text\":\(JSONText.quoted(text)),\"author\":\"@user\(rng.next() % 1000)\",\"engagement\":{\"likes\":\(rng.next() % 500)}}"
        return OutgoingMessage(subject: "social.raw.\(source)", text: json, messageID: "post-\(id)")
    }
}

/// Raw L2 book diffs on `market.l2raw.<symbol>`: a snapshot per symbol first (and every
/// `snapshotEvery` updates), then contiguous deltas near the top of the book.
public struct L2EventSource: EventSource {
    var rng: SplitMix64
    public let symbols: [String]
    var mids: [Double]
    var updateIDs: [UInt64]
    var sinceSnapshot: [Int]
    public var snapshotEvery: Int
    public var depth: Int

    public init(seed: UInt64, symbols: [String] = ["BTC-USDT", "ETH-USDT", "SOL-USDT"], snapshotEvery: Int = 5_000, depth: Int = 20) {
        rng = SplitMix64(seed: seed)
        self.symbols = symbols
        mids = symbols.map { $0.hasPrefix("BTC") ? 43_000 : $0.hasPrefix("ETH") ? 2_300 : 100 }
        updateIDs = symbols.map { _ in 1000 }
        sinceSnapshot = symbols.map { _ in Int.max / 2 }
        self.snapshotEvery = snapshotEvery
        self.depth = depth
    }

    public mutating func next(at time: Timestamp) -> OutgoingMessage {
        let i = Int(rng.next() % UInt64(symbols.count))
        let tick = mids[i] / 10_000
        let ms = time.nanosSinceEpoch / 1_000_000
        func level(_ side: Double, _ k: Int, _ qty: Double) -> String {
            let p = ((mids[i] + side * Double(k + 1) * tick) / tick).rounded() * tick
            return "[\(String(format: "%.4f", p)),\(String(format: "%.4f", qty))]"
        }
        if sinceSnapshot[i] >= snapshotEvery {
            sinceSnapshot[i] = 0
            updateIDs[i] += 1
            let bids = (0..<depth).map { level(-1, $0, Double(1 + rng.next() % 100) / 10) }.joined(separator: ",")
            let asks = (0..<depth).map { level(1, $0, Double(1 + rng.next() % 100) / 10) }.joined(separator: ",")
            let json = "{\"symbol\":\"\(symbols[i])\",\"exchange\":\"sim\",\"type\":\"snapshot\",\"event_time\":\(ms),\"first_update_id\":\(updateIDs[i]),\"last_update_id\":\(updateIDs[i]),\"bids\":[\(bids)],\"asks\":[\(asks)]}"
            return OutgoingMessage(subject: "market.l2raw.\(symbols[i])", text: json)
        }
        sinceSnapshot[i] += 1
        let first = updateIDs[i] + 1
        updateIDs[i] += 1 + rng.next() % 3
        // Levels near the top change most often.
        var bids: [String] = [], asks: [String] = []
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            let k = Int(Double(depth) * pow(Double(rng.next() % 1000) / 1000, 3))
            let qty = rng.next() % 5 == 0 ? 0 : Double(1 + rng.next() % 100) / 10
            if rng.next() % 2 == 0 { bids.append(level(-1, k, qty)) } else { asks.append(level(1, k, qty)) }
        }
        let json = "{\"symbol\":\"\(symbols[i])\",\"exchange\":\"sim\",\"type\":\"delta\",\"event_time\":\(ms),\"first_update_id\":\(first),\"last_update_id\":\(updateIDs[i]),\"bids\":[\(bids.joined(separator: ","))],\"asks\":[\(asks.joined(separator: ","))]}"
        return OutgoingMessage(subject: "market.l2raw.\(symbols[i])", text: json)
    }
}
