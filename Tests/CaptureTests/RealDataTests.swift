import Capture
import Testing

/// Counts on the real captures in ../shared/data, checked against independent Python counts
/// (gzip+struct over the pcap records; regex over the cryptofeed lines; split on tabs for the TSV).
/// A checkout without a recording reports its test as skipped, never as passed.
@Suite struct RealDataTests {
    @Test(.enabled(if: SharedData.has("iex-deep10-20170425.pcap.gz"), "needs ../shared/data/iex-deep10-20170425.pcap.gz"))
    func iexPcapUDPCountAndTruncation() throws {
        let path = SharedData.path("iex-deep10-20170425.pcap.gz")
        #expect(try CaptureReader.detectFormat(path: path) == .pcap)
        var r = try UDPReader(path: path)
        var n = 0, bytes = 0
        var first: UDPDatagram?
        var last: UDPDatagram?
        while let d = r.next() {
            if first == nil { first = d }
            last = d
            n += 1
            bytes += d.payload.count
        }
        // Python: 121,314 complete records (all UDP to port 16648, 15,159,512 payload bytes);
        // record 121,314 (0-based) is cut: 1,490-byte caplen, 460 bytes present.
        #expect(n == 121_314)
        #expect(bytes == 15_159_512)
        #expect(first?.destination.description == "224.2.3.10:16648")
        #expect(first?.timestampNanos == 1_493_132_598_746_881_000)
        #expect(last?.timestampNanos == 1_493_149_909_897_850_000)
        #expect(last?.packetIndex == 121_313)
        let t = try #require(r.report.truncation)
        #expect(t.origin == .packet(121_314))
        #expect(t.reason.contains("1490") && t.reason.contains("460"), "\(t.reason)")
        #expect(r.report["udp"] == 121_314)
    }

    @Test(.enabled(if: SharedData.has("coinbase-l2update-20210417.cryptofeed.txt"), "needs ../shared/data/coinbase-l2update-20210417.cryptofeed.txt"))
    func coinbaseCryptofeedV1() throws {
        let path = SharedData.path("coinbase-l2update-20210417.cryptofeed.txt")
        var r = try CaptureReader(path: path)
        #expect(r.format == .cryptofeedV1)
        var types: [String: Int] = [:]
        var firstTs: Int64?
        while let m = try r.next() {
            if firstTs == nil { firstTs = m.timestampNanos }
            let t = m.text
            if let range = t.range(of: #""type":""#) {
                let rest = t[range.upperBound...]
                types[String(rest.prefix { $0 != "\"" }), default: 0] += 1
            }
        }
        // Python/grep: 9,946 received lines (9,719 l2update, 10 snapshot, 97 match, 107 ticker,
        // 10 last_match, 3 subscriptions), 3 sent, 1 connect, 2 empty lines.
        #expect(r.report["message"] == 9_946)
        #expect(r.report["sent"] == 3)
        #expect(r.report["connect"] == 1)
        #expect(r.report["empty"] == 2)
        #expect(r.report.problemCount == 0)
        #expect(types == ["l2update": 9_719, "snapshot": 10, "match": 97, "ticker": 107, "last_match": 10, "subscriptions": 3])
        #expect(firstTs == 1_618_677_817_061_845_000)
    }

    @Test(.enabled(if: SharedData.has("nasa-ksc-http-19950801.tsv"), "needs ../shared/data/nasa-ksc-http-19950801.tsv"))
    func nasaTSV() throws {
        let path = SharedData.path("nasa-ksc-http-19950801.tsv")
        var r = try AccessLogReader(path: path)
        #expect(r.format == .nasaTSV)
        var n = 0
        var first: AccessLogEntry?
        while let e = try r.next() {
            if first == nil { first = e }
            n += 1
        }
        #expect(n == 30_969)  // Python: 30,969 rows of 9 columns after the header
        #expect(r.report["header"] == 1)
        #expect(r.report.problemCount == 0)
        #expect(first == AccessLogEntry(host: "pppa006.compuserve.com", timeNanos: 807_256_800_000_000_000, method: "GET",
                                        path: "/images/launch-logo.gif", protocol: "", status: 200, bytes: 1713, line: 2))
    }
}
