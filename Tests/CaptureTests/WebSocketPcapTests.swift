import Capture
import Foundation
import Testing
import Zlib
import Zstd

/// A hand-built capture: handshake with permessage-deflate, then server frames delivered with a swap,
/// a retransmission and an overlap, plus one masked client message.
struct SyntheticWebSocketCapture {
    var pcap = PcapBuilder()
    var expected: [(text: [UInt8], isText: Bool, packet: Int)] = []
    let client: [UInt8] = [10, 0, 0, 1], server: [UInt8] = [10, 0, 0, 2]
    let json = Array(#"{"type":"l2update","product_id":"BTC-USD","changes":[["buy","61000.01","0.5"]]}"#.utf8)
    let big = (0..<70_000).map { UInt8($0 % 251) }
    let medium = (0..<300).map { UInt8(255 - $0 % 256) }

    init() throws {
        let cISN: UInt32 = 1000, sISN: UInt32 = 0xffff_ff00  // server sequence numbers wrap around
        pcap.tcp(src: client, sport: 50000, dst: server, dport: 80, seq: cISN, ack: 0, flags: 0x02)
        pcap.tcp(src: server, sport: 80, dst: client, dport: 50000, seq: sISN, ack: cISN + 1, flags: 0x12)
        let request = Array("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n".utf8)
        pcap.tcp(src: client, sport: 50000, dst: server, dport: 80, seq: cISN + 1, ack: sISN &+ 1, flags: 0x18, payload: request)
        let response = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=15\r\n\r\n".utf8)

        let deflater = try Deflater()
        let c1 = try deflater.compressMessage(json)
        let c2 = try deflater.compressMessage(json)  // relies on the context the first message left
        // Server stream pieces; each becomes one segment.
        let a = response
        let b = wsFrame(opcode: 1, Array("hello".utf8))
        let c = wsFrame(opcode: 1, fin: false, Array("frag-one ".utf8)) + wsFrame(opcode: 9, Array("p".utf8))
        let d = wsFrame(opcode: 0, fin: false, Array("frag-two ".utf8))
        let e = wsFrame(opcode: 0, fin: true, Array("end".utf8))
        let f = wsFrame(opcode: 1, rsv1: true, c1)
        let g = wsFrame(opcode: 1, rsv1: true, c2)
        let h = wsFrame(opcode: 2, mask: [1, 2, 3, 4], medium)
        let i = wsFrame(opcode: 2, big)
        var offsets: [UInt32] = []
        var pos = sISN &+ 1
        for piece in [a, b, c, d, e, f, g, h] { offsets.append(pos); pos = pos &+ UInt32(piece.count) }
        func send(_ piece: [UInt8], _ seq: UInt32) {
            pcap.tcp(src: server, sport: 80, dst: client, dport: 50000, seq: seq, ack: cISN + 1 + UInt32(request.count), flags: 0x18, payload: piece)
        }
        send(a, offsets[0])
        // Client message right after the handshake.
        let clientMsg = wsFrame(opcode: 1, mask: [9, 8, 7, 6], Array("subscribe".utf8))
        pcap.tcp(src: client, sport: 50000, dst: server, dport: 80, seq: cISN + 1 + UInt32(request.count), ack: offsets[1], flags: 0x18, payload: clientMsg)
        send(b, offsets[1]); expected.append((Array("hello".utf8), true, pcap.packets - 1))
        send(c, offsets[2])
        send(e, offsets[4])          // out of order: waits for d
        send(d, offsets[3]); expected.append((Array("frag-one frag-two end".utf8), true, pcap.packets - 1))
        send(b, offsets[1])          // retransmission of b
        send(f, offsets[5]); expected.append((json, true, pcap.packets - 1))
        send(g, offsets[6]); expected.append((json, true, pcap.packets - 1))
        send(Array(g.suffix(5)) + h, offsets[7] &- 5)  // overlaps the end of g
        expected.append((medium, false, pcap.packets - 1))
        var p = pos
        var rest = i[...]
        while !rest.isEmpty {
            let piece = Array(rest.prefix(1400))
            rest = rest.dropFirst(piece.count)
            send(piece, p)
            p = p &+ UInt32(piece.count)
        }
        expected.append((big, false, pcap.packets - 1))
        pcap.tcp(src: server, sport: 80, dst: client, dport: 50000, seq: p, ack: 0, flags: 0x11)
        pcap.tcp(src: client, sport: 50000, dst: server, dport: 80, seq: cISN + 1 + UInt32(request.count + clientMsg.count), ack: p &+ 1, flags: 0x11)
    }
}

@Suite struct WebSocketPcapTests {
    func check(_ path: String, _ cap: SyntheticWebSocketCapture) throws {
        var reader = try CaptureReader(path: path)
        #expect(reader.format == .pcap)
        var got: [CapturedMessage] = []
        while let m = try reader.next() { got.append(m) }
        #expect(got.count == cap.expected.count)
        for (m, e) in zip(got, cap.expected) {
            #expect(m.payload == e.text)
            #expect(m.isText == e.isText)
            #expect(m.timestampNanos == cap.pcap.timestampNanos(e.packet))
        }
        if case .webSocket(let conn, let n, let dir) = got.first?.origin {
            #expect(conn == 1 && n == 1 && dir == .serverToClient)
        } else {
            Issue.record("expected a websocket origin")
        }
        let r = reader.report
        #expect(r["ws.connection"] == 1)
        #expect(r["ws.permessageDeflate"] == 1)
        #expect(r["ws.inflated"] == 2)
        #expect(r["ws.ping"] == 1)
        #expect(r["tcp.outOfOrder"] == 1)
        #expect(r["tcp.retransmitted"] == 1)
        #expect(r["tcp.overlap"] == 1)
        #expect(r.problemCount == 0, "\(r)")
        #expect(r.truncation == nil)
    }

    @Test func messagesFromHandBuiltCapture() throws {
        let cap = try SyntheticWebSocketCapture()
        try check(write(cap.pcap.bytes, "ws.pcap"), cap)
    }

    @Test func compressedCapturesStreamThroughLibpcap() throws {
        let cap = try SyntheticWebSocketCapture()
        try check(write(try Zlib.gzip(cap.pcap.bytes), "ws.pcap.gz"), cap)
        try check(write(try Zstd.compress(cap.pcap.bytes), "ws.pcap.zst"), cap)
    }

    @Test func clientMessagesWhenAsked() throws {
        let cap = try SyntheticWebSocketCapture()
        var reader = try CaptureReader(path: write(cap.pcap.bytes, "ws.pcap"), includeClientMessages: true)
        var client: [CapturedMessage] = []
        while let m = try reader.next() {
            if case .webSocket(_, _, .clientToServer) = m.origin { client.append(m) }
        }
        #expect(client.map(\.text) == ["subscribe"])
    }

    @Test func truncatedCaptureKeepsEarlierPackets() throws {
        var b = PcapBuilder()
        for i in 0..<5 { b.udp(src: [10, 0, 0, 1], sport: 1000, dst: [224, 0, 0, 1], dport: 2000, payload: Array(repeating: UInt8(i), count: 100)) }
        let cut = Array(b.bytes.dropLast(30))
        for (name, bytes) in [("t.pcap", cut), ("t.pcap.gz", try Zlib.gzip(cut))] {
            var r = try UDPReader(path: write(bytes, name))
            var got: [UDPDatagram] = []
            while let d = r.next() { got.append(d) }
            #expect(got.count == 4)
            #expect(got.map { $0.payload.first } == [0, 1, 2, 3])
            #expect(got.last?.packetIndex == 3)
            #expect(got.first?.destination.description == "224.0.0.1:2000")
            let t = try #require(r.report.truncation)
            #expect(t.origin == .packet(4))
            #expect(t.reason.contains("truncated"), "\(t.reason)")
        }
    }

    @Test func fragmentsAndMalformedPacketsAreCounted() throws {
        var b = PcapBuilder()
        b.udp(src: [1, 1, 1, 1], sport: 1, dst: [2, 2, 2, 2], dport: 2, payload: [1])
        b.record(PcapBuilder.ipv4(src: [1, 1, 1, 1], dst: [2, 2, 2, 2], proto: 17, payload: Array(repeating: 0, count: 16), fragmentOffset: 0x2000))
        b.record([1, 2, 3])  // shorter than an Ethernet header
        b.udp(src: [1, 1, 1, 1], sport: 1, dst: [2, 2, 2, 2], dport: 2, payload: [2])
        var r = try UDPReader(path: write(b.bytes, "f.pcap"))
        var n = 0
        while r.next() != nil { n += 1 }
        #expect(n == 2)
        #expect(r.report["ipv4.fragment"] == 1)
        #expect(r.report["malformed"] == 1)
        #expect(r.report.problems.first?.origin == .packet(2))
    }

    @Test func gapThatNeverFillsIsReported() throws {
        var b = PcapBuilder()
        let c: [UInt8] = [10, 0, 0, 1], s: [UInt8] = [10, 0, 0, 2]
        b.tcp(src: c, sport: 5000, dst: s, dport: 80, seq: 1, ack: 0, flags: 0x02)
        b.tcp(src: c, sport: 5000, dst: s, dport: 80, seq: 2, ack: 0, flags: 0x18, payload: Array("GET / HTTP/1.1\r\n".utf8))
        b.tcp(src: c, sport: 5000, dst: s, dport: 80, seq: 100, ack: 0, flags: 0x18, payload: Array("later".utf8))
        var r = try WebSocketReader(path: write(b.bytes, "gap.pcap"))
        while r.next() != nil {}
        #expect(r.report["tcp.gap"] == 1)
        #expect(r.report.problems.first?.origin == .tcpConnection(1, .clientToServer))
    }
}
