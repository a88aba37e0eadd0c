import Foundation
import Testing
import Zlib
@testable import Capture

/// A pcap or pcapng with one corrupt record: the reader names the record and its byte offset and what was wrong,
/// keeps the packets before it and stops there (see `PcapRecordCheck` for why it does not resynchronise).
@Suite struct CorruptPcapTests {
    func fivePackets() -> PcapBuilder {
        var b = PcapBuilder()
        for i in 0..<5 { b.udp(src: [10, 0, 0, 1], sport: 1000, dst: [224, 0, 0, 1], dport: 2000, payload: Array(repeating: UInt8(i), count: 100)) }
        return b
    }

    func read(_ bytes: [UInt8], _ name: String) throws -> (payloads: [UInt8?], report: ReadReport) {
        var r = try UDPReader(path: write(bytes, name))
        var got: [UInt8?] = []
        while let d = r.next() { got.append(d.payload.first) }
        return (got, r.report)
    }

    func setLE32(_ bytes: inout [UInt8], _ at: Int, _ v: UInt32) {
        for i in 0..<4 { bytes[at + i] = UInt8(v >> (8 * UInt32(i)) & 0xff) }
    }

    @Test func capturedLengthOverTheLimitNamesRecordAndOffset() throws {
        let b = fivePackets()
        var bytes = b.bytes
        setLE32(&bytes, b.recordOffsets[2] + 8, 0xffff_ffff)  // caplen of record 2
        for (name, data) in [("caplen.pcap", bytes), ("caplen.pcap.gz", try Zlib.gzip(bytes))] {
            let (got, report) = try read(data, name)
            #expect(got == [0, 1], "packets before the corrupt record are kept")
            let c = try #require(report.corruption, "\(report)")
            #expect(c.origin == .packet(2))
            #expect(c.reason.contains("record 2 at byte offset \(b.recordOffsets[2])"), "\(c.reason)")
            #expect(c.reason.contains("4294967295") && c.reason.contains("256 KiB"), "\(c.reason)")
            #expect(report["corrupt"] == 1)
            #expect(report.truncation == nil)
        }
    }

    @Test func capturedLengthOverTheSnapshotLength() throws {
        let b = fivePackets()
        var bytes = b.bytes
        setLE32(&bytes, 16, 100)  // snaplen 100 in the file header; records carry 142-byte frames
        let (got, report) = try read(bytes, "snaplen.pcap")
        #expect(got.isEmpty)
        let c = try #require(report.corruption)
        #expect(c.reason.contains("record 0 at byte offset 24") && c.reason.contains("snapshot length 100"), "\(c.reason)")
    }

    @Test func garbageRecordHeader() throws {
        let b = fivePackets()
        var bytes = b.bytes
        for k in 0..<16 { bytes[b.recordOffsets[3] + k] = 0x5a }  // 0x5a5a5a5a: caplen and fraction both impossible
        let (got, report) = try read(bytes, "garbage.pcap")
        #expect(got == [0, 1, 2])
        let c = try #require(report.corruption)
        #expect(c.origin == .packet(3))
        #expect(c.reason.contains("record 3 at byte offset \(b.recordOffsets[3])"), "\(c.reason)")
    }

    @Test func truncatedMiddleRecordIsNamedWhereTheNextHeaderIsMisread() throws {
        // Record 1 loses 30 bytes of its data but keeps its header: record 2's header is read from record 1's data.
        let b = fivePackets()
        let bytes = Array(b.bytes[..<(b.recordOffsets[2] - 30)]) + Array(b.bytes[b.recordOffsets[2]...])
        let (got, report) = try read(bytes, "middle.pcap")
        #expect(got.count <= 2 && got.prefix(1) == [0])
        let c = try #require(report.corruption ?? report.truncation, "\(report)")
        #expect(c.reason.contains("byte offset"), "\(c.reason)")
    }

    @Test func truncatedLastRecordStaysACountedWarning() throws {
        let b = fivePackets()
        let (got, report) = try read(Array(b.bytes.dropLast(30)), "last.pcap")
        #expect(got == [0, 1, 2, 3])
        #expect(report.corruption == nil)
        let t = try #require(report.truncation)
        #expect(t.origin == .packet(4))
        #expect(t.reason.contains("record 4 at byte offset \(b.recordOffsets[4])") && t.reason.contains("truncated"), "\(t.reason)")
    }

    @Test func corruptPcapngBlock() throws {
        // fixtures/websocket/coinbase-ws-loopback.pcapng: damage the trailing length of the fourth packet block.
        let path = CaptureFixtures.path("websocket/coinbase-ws-loopback.pcapng")
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var blocks: [(offset: Int, type: UInt32, length: Int)] = []
        var at = 0
        while at + 8 <= bytes.count, blocks.count < 100 {
            let type = UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
            let length = Int(bytes[at + 4]) | Int(bytes[at + 5]) << 8 | Int(bytes[at + 6]) << 16 | Int(bytes[at + 7]) << 24
            blocks.append((at, type, length))
            at += length
        }
        let packetBlocks = blocks.filter { $0.type == 6 }
        try #require(packetBlocks.count > 5)
        let victim = packetBlocks[4]
        setLE32(&bytes, victim.offset + victim.length - 4, 0x1234)
        var r = try PacketReader(path: write(bytes, "bad-trailer.pcapng"))
        var n = 0
        while r.next() != nil { n += 1 }
        #expect(n == 4)
        let c = try #require(r.report.corruption, "\(r.report)")
        #expect(c.origin == .packet(4))
        #expect(c.reason.contains("record 4 at byte offset \(victim.offset)") && c.reason.contains("ends with length 4660"), "\(c.reason)")

        // A block length that is not a multiple of 4.
        var bytes2 = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        setLE32(&bytes2, packetBlocks[2].offset + 4, 0x13)
        var r2 = try PacketReader(path: write(bytes2, "bad-length.pcapng"))
        var n2 = 0
        while r2.next() != nil { n2 += 1 }
        #expect(n2 == 2)
        let c2 = try #require(r2.report.corruption, "\(r2.report)")
        #expect(c2.reason.contains("record 2 at byte offset \(packetBlocks[2].offset)") && c2.reason.contains("block length 19"), "\(c2.reason)")
    }

    @Test func intactCapturesPassTheCheck() throws {
        let b = fivePackets()
        let (got, report) = try read(b.bytes, "ok.pcap")
        #expect(got == [0, 1, 2, 3, 4])
        #expect(report.corruption == nil && report.truncation == nil)
        for f in ["websocket/coinbase-ws-loopback.pcap", "websocket/coinbase-ws-loopback.pcapng", "iex/deep10-slice.pcap.gz"] {
            var r = try PacketReader(path: CaptureFixtures.path(f))
            while r.next() != nil {}
            #expect(r.report.corruption == nil, "\(f): \(r.report)")
        }
    }
}

/// The repository's committed `fixtures/` folder.
enum CaptureFixtures {
    static func path(_ name: String) -> String { SharedData.repositoryRoot.appendingPathComponent("fixtures").appendingPathComponent(name).path }
}
