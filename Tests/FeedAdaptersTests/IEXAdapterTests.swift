import Foundation
import MarketData
import Testing
@testable import FeedAdapters

@Suite struct IEXAdapterTests {
    /// The slice written by scripts/fixtures/make_iex_slice.py: records of u64 capture ns, u32 length, UDP payload.
    static func segments() throws -> [(Int64, [UInt8])] {
        let data = [UInt8](try Data(contentsOf: Fixture.root.appendingPathComponent("iex/iex-deep-slice.bin")))
        var out: [(Int64, [UInt8])] = []
        var at = 0
        while at + 12 <= data.count {
            var ns: UInt64 = 0, len: UInt32 = 0
            for k in 0..<8 { ns |= UInt64(data[at + k]) << (8 * UInt64(k)) }
            for k in 0..<4 { len |= UInt32(data[at + 8 + k]) << (8 * UInt32(k)) }
            at += 12
            out.append((Int64(ns), Array(data[at..<(at + Int(len))])))
            at += Int(len)
        }
        return out
    }

    struct Expected: Decodable {
        var segments: Int
        var messages: Int
        var counts: [String: Int]
        var firstSequence: Int64
        var nextSequence: Int64
        var bookSymbols: Int
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Fixture.root.appendingPathComponent("iex/iex-deep-slice.counts.json")))
    }

    @Test func sliceCountsMatchPythonAndBooksChain() throws {
        let segments = try Self.segments()
        let expected = try Self.expected()
        var adapter = IEXAdapter()
        var replay = Replay()
        for (ts, s) in segments { replay.feed(&adapter, s, receivedNanos: ts) }
        #expect(replay.errors.isEmpty, "\(replay.errors.prefix(3))")
        #expect(segments.count == expected.segments)
        // Pinned as well as read from the JSON, so a regenerated fixture cannot silently loosen the test.
        #expect(expected.counts == ["priceLevelBuy": 953, "priceLevelSell": 852, "tradeReport": 241, "tradeBreak": 6])
        var counts = adapter.counts
        #expect(counts.removeValue(forKey: "segments") == 2000)
        for (k, v) in expected.counts { #expect(counts[k] == v, "\(k)") }
        #expect(counts.filter { expected.counts[$0.key] == nil }.isEmpty, "\(counts)")
        #expect(adapter.gaps.isEmpty)
        #expect(replay.trades.count == 241)

        let books = replay.bookEvents
        let snapshots = books.filter { $0.kind == .snapshot }
        #expect(snapshots.count == expected.bookSymbols)
        // Every price-level message lands in exactly one delta (batches close on "event processing complete"), except
        // the one whose batch is still open at the end of the slice (its flag is 0; checked in Python: 11 updates carry
        // flag 0 and INTC's last update in the slice is one of them).
        let levels = books.reduce(0) { $0 + $1.bids.count + $1.asks.count }
        #expect(levels == 953 + 852 - 1)
        #expect(books.allSatisfy { $0.firstUpdateId >= expected.firstSequence - 1 && $0.lastUpdateId < expected.nextSequence })
        #expect(replay.gaps.isEmpty)
        #expect(replay.stale == 0)
        // The IEX sample is simulated data (INTC near $60, QQQ near $70 in April 2017) whose books cross almost at once:
        // Python, replaying the same levels into plain dicts, finds bid >= ask after 1,741 of 1,794 completed events.
        // So each symbol's book crosses, the normalizer drops it, and with no DEEP snapshot it stays down.
        #expect(replay.normalizer.totalCounters.crossedBooks == expected.bookSymbols)
        #expect(replay.books.values.filter(\.isCrossed).count >= 1)
    }

    @Test func droppedSegmentIsReportedExactly() throws {
        let segments = try Self.segments()
        // Drop a segment that carries price-level updates, so books are affected too.
        let victim = try #require(segments.indices.dropFirst(200).first { i in
            let s = segments[i].1
            return s.count > 42 && (s[42] == 0x38 || s[42] == 0x35) && segments[i + 1].1.count > 40
        })
        let dropped = segments[victim].1
        let firstSeq = dropped[24..<32].reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) }
        let count = Int64(dropped[14]) | Int64(dropped[15]) << 8
        var adapter = IEXAdapter()
        var replay = Replay()
        for (i, (ts, s)) in segments.enumerated() where i != victim { replay.feed(&adapter, s, receivedNanos: ts) }
        #expect(replay.errors.isEmpty)
        #expect(adapter.gaps == [IEXSequenceGap(sessionId: adapter.gaps.first?.sessionId ?? 0, expected: firstSeq, got: firstSeq + count)])
        // Books that update after the loss report it through prevLastUpdateId.
        #expect(!replay.gaps.isEmpty)
        #expect(replay.gaps.allSatisfy { $0.got == firstSeq + count - 1 })
    }

    @Test func duplicateSegmentIsSkipped() throws {
        let segments = try Self.segments()
        var adapter = IEXAdapter()
        var replay = Replay()
        for (ts, s) in segments.prefix(10) { replay.feed(&adapter, s, receivedNanos: ts) }
        let before = replay.events.count
        replay.feed(&adapter, segments[5].1)
        #expect(replay.events.count == before)
        #expect(adapter.counts["duplicateSegments"] == 1)
        #expect(adapter.gaps.isEmpty)
    }

    @Test func malformedSegments() throws {
        let s = try Self.segments()[0].1
        var adapter = IEXAdapter()
        #expect(throws: AdapterError.self) { _ = try adapter.adapt(Array(s.prefix(39)), receivedNanos: 0) }
        do {
            _ = try adapter.adapt(Array(s.dropLast()), receivedNanos: 0)
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "header.payloadLength")
        }
        var wrongProtocol = s
        wrongProtocol[2] = 0x01
        do {
            _ = try adapter.adapt(wrongProtocol, receivedNanos: 0)
            Issue.record("expected an error")
        } catch {
            #expect(error.reason == .unknownKind && error.field == "header.messageProtocolId")
        }
        #expect(adapter.counts.isEmpty)
    }

    @Test func topsQuoteUpdate() throws {
        // Hand-built TOPS segment: one 'Q' quote update for ZIEXT.
        var msg: [UInt8] = [0x51, 0x00]
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        msg += le(Int64(1_493_132_582_000_000_123)) + Array("ZIEXT   ".utf8) + le(UInt32(9700)) + le(Int64(991_800)) + le(Int64(1_000_500)) + le(UInt32(1000))
        var seg: [UInt8] = [1, 0] + le(UInt16(0x8003)) + le(UInt32(1)) + le(UInt32(42)) + le(UInt16(UInt16(msg.count + 2))) + le(UInt16(1))
        seg += le(Int64(0)) + le(Int64(1)) + le(Int64(0)) + le(UInt16(UInt16(msg.count))) + msg
        var adapter = IEXAdapter()
        let events = try adapter.adapt(seg, receivedNanos: 0)
        #expect(events == [.quote(Quote(symbol: "ZIEXT-USD", exchange: "iex", eventTimeNanos: 1_493_132_582_000_000_123,
                                        bidPrice: 99.18, bidSize: 9700, askPrice: 100.05, askSize: 1000))])
        #expect(adapter.counts == ["quoteUpdate": 1, "segments": 1])
    }
}
