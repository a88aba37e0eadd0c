import Capture
import Foundation
import Testing
import Zlib
import Zstd

@Suite struct LineFormatTests {
    func readAll(_ path: String, _ format: CaptureFormat? = nil) throws -> ([CapturedMessage], ReadReport) {
        var r = try CaptureReader(path: path, format: format)
        var out: [CapturedMessage] = []
        while let m = try r.next() { out.append(m) }
        return (out, r.report)
    }

    @Test func nsLinesPlainGzipZstdWithCorruptLines() throws {
        let text = """
        1700000000000000001 {"e":"depthUpdate","U":1,"u":2}
        garbage here
        1700000000000000002 {"e":"trade","p":"1.0"
        1700000000000000003 [1,2]

        1700000000000000004 {"e":"bookTicker"}
        """
        for (name, bytes) in [("a.txt", Array(text.utf8)), ("a.txt.gz", try Zlib.gzip(Array(text.utf8))), ("a.txt.zst", try Zstd.compress(Array(text.utf8)))] {
            let (msgs, report) = try readAll(write(bytes, name))
            #expect(report.format == .nsLines)
            #expect(msgs.map(\.timestampNanos) == [1_700_000_000_000_000_001, 1_700_000_000_000_000_003, 1_700_000_000_000_000_004])
            #expect(msgs.first?.text == #"{"e":"depthUpdate","U":1,"u":2}"#)
            #expect(msgs.map(\.origin) == [.line(1), .line(4), .line(6)])
            #expect(report["bad"] == 2)
            #expect(report.problems.map(\.origin) == [.line(2), .line(3)])
            #expect(report["empty"] == 1)
        }
    }

    @Test func cryptofeedV1CorruptLines() throws {
        let text = """
        wss://ws-feed.example <-> 1618677816.8434298
        wss://ws-feed.example <- 1618677817.020616: {"type":"subscribe"}
        1618677817.061845: {"type":"snapshot"}
        1618677817.0x: {"type":"bad"}
        1618677817.5: {"type":"ticker"
        1618677818: {"type":"ticker"}
        """
        let (msgs, report) = try readAll(write(text, "cf.txt"))
        #expect(report.format == .cryptofeedV1)
        #expect(msgs.map(\.timestampNanos) == [1_618_677_817_061_845_000, 1_618_677_818_000_000_000])
        #expect(report["connect"] == 1 && report["sent"] == 1 && report["bad"] == 2)
        #expect(report.problems.map(\.origin) == [.line(4), .line(5)])
    }

    @Test func cryptofeedV3CorruptLines() throws {
        let text = #"""
        {"t":"connect","ts":1700000000.0,"url":"wss://x"}
        {"t":"send","ts":1700000000.1,"data":"{\"op\":\"subscribe\"}"}
        {"t":"recv","ts":1700000000.25,"data":"{\"topic\":\"orderbook.50.BTCUSDT\",\"type\":\"snapshot\",\"s\":\"caf\u00e9\"}"}
        {"t":"recv","ts":1700000000.5,"data":
        {"t":"recv","data":"{}"}
        {"t":"recv","ts":1700000001,"data":"[1]"}
        """#
        let (msgs, report) = try readAll(write(text, "v3.jsonl"))
        #expect(report.format == .cryptofeedV3)
        #expect(msgs.map(\.text) == [#"{"topic":"orderbook.50.BTCUSDT","type":"snapshot","s":"café"}"#, "[1]"])
        #expect(msgs.map(\.timestampNanos) == [1_700_000_000_250_000_000, 1_700_000_001_000_000_000])
        #expect(report["connect"] == 1 && report["send"] == 1 && report["bad"] == 2)
        #expect(report.problems.map(\.origin) == [.line(4), .line(5)])
    }

    @Test func jsonlCorruptLines() throws {
        let text = "{\"id\":1,\"text\":\"post\"}\n{broken\n{\"id\":3}\n"
        let (msgs, report) = try readAll(write(text, "posts.jsonl"))
        #expect(report.format == .jsonl)
        #expect(msgs.map(\.origin) == [.line(1), .line(3)])
        #expect(report.problems.map(\.origin) == [.line(2)])
    }

    @Test func commonAndCombinedLogFormat() throws {
        let text = """
        127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"
        199.72.81.55 - - [01/Jul/1995:00:00:01 -0400] "GET /history/apollo/ HTTP/1.0" 200 -
        not a log line
        10.0.0.1 - - [32/Foo/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1
        """
        var r = try AccessLogReader(path: write(text, "access.log"))
        #expect(r.format == .accessLog)
        var entries: [AccessLogEntry] = []
        while let e = try r.next() { entries.append(e) }
        #expect(entries.count == 2)
        #expect(entries[0] == AccessLogEntry(host: "127.0.0.1", timeNanos: 971_211_336_000_000_000, method: "GET", path: "/apache_pb.gif",
                                             protocol: "HTTP/1.0", status: 200, bytes: 2326, referer: "http://www.example.com/start.html",
                                             userAgent: "Mozilla/4.08 [en] (Win98; I ;Nav)", line: 1))
        #expect(entries[1].bytes == 0 && entries[1].timeNanos == 804_571_201_000_000_000 && entries[1].referer == nil)
        #expect(r.report.problems.map(\.origin) == [.line(3), .line(4)])
    }

    @Test func nasaTSVCorruptLines() throws {
        let text = "host\tlogname\ttime\tmethod\turl\tresponse\tbytes\treferer\tuseragent\nh1\t-\t807256800\tGET\t/a\t200\t\t\t\nh2\t-\tnope\tGET\t/b\t200\t1\t\t\nh3\t-\t807256801\tGET\t/c\t404\t-\t\t\n"
        var r = try AccessLogReader(path: write(text, "n.tsv"))
        var entries: [AccessLogEntry] = []
        while let e = try r.next() { entries.append(e) }
        #expect(entries.map(\.host) == ["h1", "h3"])
        #expect(entries.map(\.bytes) == [0, 0])
        #expect(r.report.problems.map(\.origin) == [.line(3)])
    }

    @Test func truncatedCompressedLinesKeepEarlierLines() throws {
        let text = (1...2000).map { "\(1_700_000_000_000_000_000 + $0) {\"n\":\($0)}" }.joined(separator: "\n") + "\n"
        let gz = try Zlib.gzip(Array(text.utf8))
        let (msgs, report) = try readAll(write(Array(gz.dropLast(200)), "cut.txt.gz"))
        #expect(msgs.count > 100 && msgs.count < 2000)
        #expect(report.truncation != nil)
        #expect(report.problemCount == 0)
    }
}
