import Foundation
import MarketData
@testable import FeedAdapters

enum Fixture {
    /// The repository's `fixtures/` folder.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures")
    static let directory = root.appendingPathComponent("exchanges")

    static func lines(_ name: String) throws -> [[UInt8]] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return data.split(separator: UInt8(ascii: "\n")).map { Array($0) }.filter { !$0.isEmpty }
    }
}

/// What feeding a run of messages through an adapter and then `BookNormalizer` produced.
struct Replay {
    var events: [NormalizedEvent] = []
    var errors: [AdapterError] = []
    var normalizer = try! BookNormalizer()
    var gaps: [(symbol: String, expected: Int64, got: Int64)] = []
    var stale = 0
    var books: [String: OrderBook] = [:]

    mutating func feed<A: FeedAdapter>(_ adapter: inout A, _ message: [UInt8], receivedNanos: Int64 = 1_700_000_000_000_000_000) {
        do {
            let out = try adapter.adapt(message, receivedNanos: receivedNanos)
            for e in out { ingest(e) }
        } catch {
            errors.append(error)
        }
    }

    mutating func ingest(_ e: NormalizedEvent) {
        events.append(e)
        guard case .book(let u) = e else { return }
        // Round-trip through the wire form too, so the encoder is exercised by every real message.
        let wire = u.jsonPayload()
        let decoded = try! L2Update.decode(Data(wire)).get()
        precondition(decoded == u, "wire round trip changed \(u)")
        for ev in normalizer.ingest(u, tag: UInt64(events.count)) {
            switch ev {
            case .gap(let s, let expected, let got): gaps.append((s, expected, got))
            case .ignored(_, .stale): stale += 1
            default: break
            }
        }
        // An independent plain book per symbol (no sequence logic).
        var book = books[u.symbol] ?? OrderBook()
        if u.kind == .snapshot { book.apply(snapshot: u) } else { book.apply(delta: u) }
        books[u.symbol] = book
    }

    var bookEvents: [L2Update] { events.compactMap { if case .book(let u) = $0 { u } else { nil } } }
    var trades: [Trade] { events.compactMap { if case .trade(let t) = $0 { t } else { nil } } }
    var quotes: [Quote] { events.compactMap { if case .quote(let q) = $0 { q } else { nil } } }
}
