import Capture
import Foundation
import Testing

@Suite struct RecordingTests {
    @Test func roundTripIncludingBinaryPayload() throws {
        let path = tempPath("rec.ndjson.zst")
        let w = try RecordingWriter(path: path)
        let text = Array("{\"type\":\"ticker\",\"note\":\"quote \\\" and\nnewline, café\"}".utf8)
        let binary: [UInt8] = [0xff, 0x00, 0xfe, 0x80, 0x41]
        try w.write(receiveNanos: 1_700_000_000_123_456_789, subject: "md.coinbase.BTC-USD", headers: [("Nats-Msg-Id", "a1"), ("k", "v\t\"x\"")], payload: text)
        try w.write(receiveNanos: 1_700_000_000_123_456_790, subject: "md.iex.raw", payload: binary)
        for i in 0..<1000 { try w.write(receiveNanos: Int64(i), subject: "s", payload: Array("{\"i\":\(i)}".utf8)) }
        try w.close()

        #expect(try CaptureReader.detectFormat(path: path) == .recording)
        var r = try CaptureReader(path: path)
        let a = try #require(try r.next())
        #expect(a.payload == text && a.isText)
        #expect(a.timestampNanos == 1_700_000_000_123_456_789)
        #expect(a.subject == "md.coinbase.BTC-USD")
        #expect(a.headers.map { [$0.0, $0.1] } == [["Nats-Msg-Id", "a1"], ["k", "v\t\"x\""]])
        let b = try #require(try r.next())
        #expect(b.payload == binary && !b.isText)
        #expect(b.subject == "md.iex.raw" && b.headers.isEmpty)
        var n = 0
        while let m = try r.next() { #expect(m.timestampNanos == Int64(n)); n += 1 }
        #expect(n == 1000)
        #expect(r.report["message"] == 1002 && r.report.problemCount == 0)
    }

    @Test func corruptRecordingLines() throws {
        let text = """
        {"v":1,"t":5,"subject":"a","headers":{},"payload":"x"}
        {"v":1,"t":"6","subject":"a","headers":{},"payload":"x"}
        {"v":2,"t":7,"subject":"a","headers":{},"payload":"x"}
        {"v":1,"t":8,"subject":"a","headers":{"k":1},"payload":"x"}
        {"v":1,"t":9,"subject":"a","payload_b64":"AAE="}
        """
        var r = try CaptureReader(path: write(text, "r.ndjson"))
        var got: [CapturedMessage] = []
        while let m = try r.next() { got.append(m) }
        #expect(got.map(\.timestampNanos) == [5, 9])
        #expect(got.last?.payload == [0, 1])
        #expect(r.report.problems.map(\.origin) == [.line(2), .line(3), .line(4)])
    }
}
