import Capture
import FeedAdapters
import Foundation
import MarketData
import Replay
import Scenario
import Testing

/// The repository's fixtures folder (committed slices, see fixtures/README.md).
private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fixtures").path
private let coinbase = fixtures + "/coinbase/coinbase-l2update-20210417.cryptofeed.txt.zst"
private let iexSlice = fixtures + "/iex/deep10-slice.pcap.gz"
private let wsPcap = fixtures + "/websocket/coinbase-ws-loopback.pcap"

private func tempFile(_ name: String, _ text: String) -> String {
    let p = NSTemporaryDirectory() + "replay-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-" + name
    FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
    return p
}

@Suite("Replay: loading captures")
struct ReplayLoadTests {
    @Test func coinbaseRecordingHasItsPublishedCounts() throws {
        let (items, r) = try CaptureLoader(options: ReplayOptions()).load(path: coinbase)
        #expect(r.format == .coinbase)
        #expect(r.sourceKinds["l2update"] == 9_719)
        #expect(r.sourceKinds["snapshot"] == 10)
        #expect(r.sourceKinds["match"] == 97)
        #expect(r.produced["l2"] == 9_729)
        #expect(items.count == 9_729 + 107 + 107)
        #expect(r.problemCount == 0)
    }

    @Test func iexSliceMatchesAnIndependentCountAndReportsTheTruncatedRecord() throws {
        // fixtures/iex/deep10-slice.counts.json is written by scripts/fixtures/count_iex_pcap.py (struct only).
        struct Counts: Decodable { var packets: Int; var byKind: [String: Int] }
        let expected = try JSONDecoder().decode(Counts.self, from: Data(contentsOf: URL(fileURLWithPath: fixtures + "/iex/deep10-slice.counts.json")))
        let (items, r) = try CaptureLoader(options: ReplayOptions()).load(path: iexSlice)
        #expect(r.format == .iex)
        #expect(r.read == expected.packets)
        for k in ["priceLevelBuy", "priceLevelSell", "tradeReport", "tradeBreak", "securityEvent", "systemEvent"] {
            #expect(r.sourceKinds[k] == expected.byKind[k], "\(k)")
        }
        #expect(r.produced["trades"] == expected.byKind["tradeReport"])
        #expect(r.truncation?.contains("packet 3000") == true)
        #expect(r.gaps.isEmpty, "the slice is contiguous")
        #expect(items.allSatisfy { $0.timeNanos > 1_493_000_000_000_000_000 })
    }

    @Test func webSocketPcapReplaysToTheSameMessagesAsTheRecording() throws {
        // fixtures/websocket/coinbase-ws-loopback.pcap: tcpdump on loopback of a WebSocket server (permessage-deflate)
        // sending the recording's first 300 received messages (scripts/fixtures/make_ws_pcap.py).
        var fromPcap = try CaptureReader(path: wsPcap)
        var fromText = try CaptureReader(path: coinbase)
        var n = 0
        while let m = try fromPcap.next() {
            let t = try #require(try fromText.next())
            #expect(m.payload == t.payload, "message \(n)")
            n += 1
        }
        #expect(n == 300)
        let (_, r) = try CaptureLoader(options: ReplayOptions()).load(path: wsPcap)
        #expect(r.format == .coinbase && r.container == "pcap")
        #expect(r.sourceKinds["snapshot"] == 10)
    }

    @Test func pcapngCopyOfTheCaptureReadsTheSame() throws {
        // coinbase-ws-loopback.pcapng: the same packets rewritten as pcapng by scripts/fixtures/pcap_to_pcapng.py.
        #expect(try CaptureReader.detectFormat(path: wsPcap + "ng") == .pcapng)
        var a = try CaptureReader(path: wsPcap), b = try CaptureReader(path: wsPcap + "ng")
        var n = 0
        while let m = try a.next() {
            let o = try #require(try b.next())
            #expect(m.payload == o.payload && m.timestampNanos == o.timestampNanos, "message \(n)")
            n += 1
        }
        #expect(try b.next() == nil)
        #expect(n == 300)
    }

    @Test func symbolFilterAndWindowKeepOnlyWhatWasAskedFor() throws {
        var o = ReplayOptions()
        o.symbols = ["SKL-USD"]
        o.from = .seconds(5)
        o.to = .seconds(10)
        let (items, r) = try CaptureLoader(options: o).load(path: coinbase)
        #expect(!items.isEmpty)
        #expect(r.filtered > 9_000)
        for it in items { if case .market(let e) = it.body { #expect(e.symbol == "SKL-USD") } }
        let span = (items.map(\.timeNanos).max()! - items.map(\.timeNanos).min()!)
        #expect(span <= 5_000_000_000)
    }

    @Test func garbledLinesAreCountedWithTheirLineNumberAndTheRestIsKept() throws {
        let good = #"{"type":"l2update","product_id":"BTC-USD","time":"2021-04-17T16:43:40.000000Z","changes":[["buy","100.0","1.5"]]}"#
        let snap = #"{"type":"snapshot","product_id":"BTC-USD","bids":[["99.0","1"]],"asks":[["101.0","1"]]}"#
        let text = "1618677817.1: \(snap)\n1618677817.2: \(good)\n1618677817.3: {\"type\":\"l2update\",\"product_id\":\n1618677817.4: \(good)\n"
        let (items, r) = try CaptureLoader(options: ReplayOptions()).load(path: tempFile("bad.txt", text))
        #expect(items.count == 3)
        #expect(r.problemCount == 1)
        #expect(r.problems.first?.location.contains("3") == true)
    }

    @Test func anUndetectableFileNamesItselfAndTheFormatsTried() {
        let p = tempFile("mystery.bin", "\u{1}\u{2}\u{3} not a capture\n")
        #expect {
            _ = try CaptureLoader(options: ReplayOptions()).load(path: p)
        } throws: { e in
            let text = "\(e)"
            return text.contains(p) && text.contains("coinbase") && text.contains("pcap")
        }
    }
}

@Suite("Replay: timing and loops")
struct ReplayScheduleTests {
    static func items(_ times: [Int64]) -> [ReplayItem] {
        times.enumerated().map { i, t in ReplayItem(timeNanos: t, body: .raw(subject: "x.y", payload: [], eventID: "e\(i)", kind: "recorded")) }
    }

    @Test func offsetsFollowTheRecordingScaledBySpeed() throws {
        var o = ReplayOptions()
        o.speed = 10
        let s = try ReplaySchedule(items: Self.items([1_000_000_000, 1_000_000_000 + 500_000_000, 1_000_000_000 + 2_000_000_000]), options: o)
        #expect(s.offsets == [0, 50_000_000, 200_000_000])
    }

    @Test func maxGapClampsQuietPeriodsAndMaxRateSpacesArrivals() throws {
        var o = ReplayOptions()
        o.maxGap = .milliseconds(100)
        let s = try ReplaySchedule(items: Self.items([0, 10_000_000_000, 10_050_000_000]), options: o)
        #expect(s.offsets == [0, 100_000_000, 150_000_000])
        var r = ReplayOptions()
        r.maxRate = 10
        let t = try ReplaySchedule(items: Self.items([0, 1, 2]), options: r)
        #expect(t.offsets == [0, 100_000_000, 200_000_000])
        var top = ReplayOptions()
        top.topSpeed = true
        let u = try ReplaySchedule(items: Self.items([0, 5_000_000_000, 9_000_000_000]), options: top)
        #expect(u.offsets == [0, 1, 2])
    }

    @Test func badOptionsNameTheFlag() {
        var o = ReplayOptions()
        o.loops = 0
        #expect { _ = try ReplaySchedule(items: [], options: o) } throws: { "\($0)".contains("--loop") }
        o.loops = 1
        o.speed = -1
        #expect { _ = try ReplaySchedule(items: [], options: o) } throws: { "\($0)".contains("--speed") }
    }

    @Test func loopsKeepEverySymbolsSequenceMonotonicAndTheBookWhole() throws {
        var o = ReplayOptions()
        o.loops = 3
        o.keepTimes = true
        let (items, _) = try CaptureLoader(options: o).load(path: coinbase)
        let s = try ReplaySchedule(items: items, options: o)
        #expect(s.count == items.count * 3)
        var last: [String: Int64] = [:], ids = Set<String>()
        var normalizer = try BookNormalizer()
        var gaps = 0
        for i in 0..<s.count {
            let e = s.event(i, intendedNanos: Int64(i))
            #expect(ids.insert(e.eventID).inserted || e.subject.hasPrefix("market.trades"), "ids are unique across loops (\(e.eventID))")
            guard e.subject.hasPrefix("market.l2raw.") else { continue }
            let u = try L2Update.decode(Data(e.payload)).get()
            if let p = last[u.symbol] { #expect(u.firstUpdateId > p, "\(u.symbol) at \(i)") }
            // Event times move on by whole passes, so loop k never overlaps loop k−1.
            if case .market(.book(let original)) = s.items[i % items.count].body {
                #expect(u.eventTimeNanos == original.eventTimeNanos + Int64(i / items.count) * s.passNanos)
            }
            last[u.symbol] = u.lastUpdateId
            for ev in normalizer.ingest(u, tag: UInt64(i)) { if case .gap = ev { gaps += 1 } }
        }
        #expect(gaps == 0, "each loop starts from the recording's snapshots, so no loop boundary looks like a gap")
    }

    @Test func eventTimesAreRebasedToTheReplayStartUnlessKept() throws {
        let (items, _) = try CaptureLoader(options: ReplayOptions()).load(path: coinbase)
        let s = try ReplaySchedule(items: items, options: ReplayOptions())
        let start: Int64 = 1_800_000_000_000_000_000
        let t0 = s.items[0].timeNanos
        for i in [0, 100, 5_000] {
            let e = s.event(i, intendedNanos: start + s.offsets[i])
            guard e.subject.hasPrefix("market.l2raw."), case .market(.book(let original)) = s.items[i].body else { continue }
            let u = try L2Update.decode(Data(e.payload)).get()
            #expect(u.eventTimeNanos == original.eventTimeNanos + (start - t0), "same spacing, moved to now")
        }
    }
}

@Suite("Scenario replay workloads")
struct ReplayScenarioTests {
    @Test func replayOptionsParseAndBadOnesNameTheirLine() throws {
        let ok = """
            name: r
            duration: 10s
            workloads:
              - name: feed
                replay: fixtures/coinbase/coinbase-l2update-20210417.cryptofeed.txt.zst
                speed: 10
                loop: 2
                max_gap: 500ms
                symbols: [SKL-USD]
              - name: synth
                generator: trades
                rate: 100
            """
        let s = try ScenarioParser.parse(ok, file: "r.yaml")
        guard case .replay(let spec) = s.workloads[0].source else { Issue.record("not a replay"); return }
        #expect(spec.speed == 10 && spec.loops == 2 && spec.maxGap == .milliseconds(500) && spec.symbols == ["SKL-USD"])
        let bad = ok.replacingOccurrences(of: "loop: 2", with: "loop: 0").replacingOccurrences(of: "rate: 100", with: "rate: 100\n    loop: 3")
        #expect { _ = try ScenarioParser.parse(bad, file: "r.yaml") } throws: { e in
            let t = "\(e)"
            return t.contains("r.yaml:7") && t.contains("at least 1") && t.contains("loop applies to replay workloads only")
        }
    }
}
