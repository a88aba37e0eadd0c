import Capture
import Foundation
import Testing
import Zlib

@Suite struct DetectionTests {
    @Test(arguments: [
        ("1700000000000000000 {\"a\":1}\n", CaptureFormat.nsLines),
        ("wss://x <-> 1618677816.84\n1618677817.06: {\"a\":1}\n", .cryptofeedV1),
        ("1618677817.06: {\"a\":1}\n", .cryptofeedV1),
        ("{\"t\":\"recv\",\"ts\":1.5,\"data\":\"{}\"}\n", .cryptofeedV3),
        ("{\"v\":1,\"t\":1,\"subject\":\"s\",\"headers\":{},\"payload\":\"p\"}\n", .recording),
        ("127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1\n", .accessLog),
        ("host\tlogname\ttime\tmethod\turl\tresponse\tbytes\treferer\tuseragent\n", .nasaTSV),
        ("\n{\"id\":1,\"text\":\"hi\"}\n", .jsonl),
    ])
    func detectsTextFormats(text: String, format: CaptureFormat) throws {
        #expect(try CaptureReader.detectFormat(path: write(text, "d.txt")) == format)
        #expect(try CaptureReader.detectFormat(path: write(try Zlib.gzip(Array(text.utf8)), "d.txt.gz")) == format)
    }

    @Test func detectsPacketCaptures() throws {
        #expect(try CaptureReader.detectFormat(path: write(PcapBuilder().bytes, "e.pcap")) == .pcap)
        let ng: [UInt8] = [0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0]
        #expect(try CaptureReader.detectFormat(path: write(ng, "e.pcapng")) == .pcapng)
    }

    @Test func unknownFormatNamesFileAndFormatsTried() throws {
        let path = write("hello world\nthis is prose\n", "prose.txt")
        do {
            _ = try CaptureReader(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .unknownFormat(tried: CaptureFormat.allCases))
            #expect(error.description.contains(path))
            #expect(error.description.contains("cryptofeedV1") && error.description.contains("pcapng"))
        }
    }

    @Test func explicitOverride() throws {
        // Looks like JSONL, read as cryptofeed v3 because the caller says so.
        let path = write("{\"t\":\"recv\",\"ts\":2,\"data\":\"x\"}\n{\"a\":1}\n", "o.jsonl")
        var r = try CaptureReader(path: path, format: .jsonl)
        var n = 0
        while try r.next() != nil { n += 1 }
        #expect(n == 2)
    }

    @Test func missingFileNamesIt() {
        #expect(throws: CaptureError.self) { try CaptureReader(path: "/nonexistent/x.pcap") }
    }
}
