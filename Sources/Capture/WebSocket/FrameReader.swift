import Zlib

/// Parses WebSocket frames of one direction into messages: fragments joined, control frames counted,
/// permessage-deflate inflated with a context kept across messages unless no_context_takeover.
struct FrameReader {
    static let maxMessage = 64 << 20

    let connection: Int
    let direction: Direction
    private var buffer: [UInt8] = []
    private var start = 0
    private var message: [UInt8] = []
    private var messageIsText: Bool?
    private var compressed = false
    private var inflater: Inflater?
    private var deflate: DeflateParameters?
    private var count = 0
    private(set) var desynced = false

    init(connection: Int, direction: Direction) {
        self.connection = connection
        self.direction = direction
    }

    mutating func enableDeflate(_ p: DeflateParameters?) { deflate = p }

    /// Buffers bytes without parsing (client frames seen before the server's 101 decided the extensions).
    mutating func hold(_ bytes: some Collection<UInt8>) { if !desynced { buffer.append(contentsOf: bytes) } }

    /// A gap in the stream: frame boundaries are lost for good.
    mutating func loseSync(_ reason: String, report: inout ReadReport) {
        guard !desynced else { return }
        desynced = true
        buffer = []
        start = 0
        message = []
        report.problem(.webSocket(connection: connection, message: count + 1, direction: direction), reason, outcome: "ws.desync")
    }

    mutating func feed(_ bytes: some Collection<UInt8>, timestampNanos: Int64, packetIndex: Int, report: inout ReadReport, out: inout [WebSocketMessage]) {
        guard !desynced else { report.count("ws.bytesAfterDesync", bytes.count); return }
        buffer.append(contentsOf: bytes)
        while !desynced, let frame = nextFrame(report: &report) {
            handle(frame, timestampNanos, packetIndex, &report, &out)
        }
        if start > 0 && (start == buffer.count || start > 1 << 16) {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }

    private struct Frame {
        var fin: Bool
        var rsv1: Bool
        var opcode: UInt8
        var payload: [UInt8]
    }

    private mutating func nextFrame(report: inout ReadReport) -> Frame? {
        let avail = buffer.count - start
        guard avail >= 2 else { return nil }
        let b0 = buffer[start], b1 = buffer[start + 1]
        var header = 2
        var length = Int(b1 & 0x7f)
        if length == 126 {
            guard avail >= 4 else { return nil }
            length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
            header = 4
        } else if length == 127 {
            guard avail >= 10 else { return nil }
            var l: UInt64 = 0
            for i in 2..<10 { l = l << 8 | UInt64(buffer[start + i]) }
            guard l <= UInt64(Self.maxMessage) else { loseSync("frame length \(l) over the \(Self.maxMessage)-byte limit", report: &report); return nil }
            length = Int(l)
            header = 10
        }
        let masked = b1 & 0x80 != 0
        if masked { header += 4 }
        guard avail >= header + length else { return nil }
        let fin = b0 & 0x80 != 0, rsv1 = b0 & 0x40 != 0, opcode = b0 & 0x0f
        let control = opcode >= 8
        var why: String?
        if b0 & 0x30 != 0 { why = "RSV2/RSV3 set" }
        else if ![0, 1, 2, 8, 9, 10].contains(opcode) { why = "unknown opcode \(opcode)" }
        else if control && (!fin || length > 125) { why = "fragmented or oversized control frame" }
        else if rsv1 && (deflate == nil || control || opcode == 0) { why = "RSV1 set without permessage-deflate on a first data frame" }
        else if opcode == 0 && messageIsText == nil { why = "continuation frame without a message in progress" }
        else if (opcode == 1 || opcode == 2) && messageIsText != nil { why = "new message before the previous one's final fragment" }
        if let why {
            loseSync("undecodable frame: \(why)", report: &report)
            return nil
        }
        var payload = Array(buffer[(start + header)..<(start + header + length)])
        if masked {
            let k = start + header - 4
            let key = (buffer[k], buffer[k + 1], buffer[k + 2], buffer[k + 3])
            for i in payload.indices {
                switch i & 3 {
                case 0: payload[i] ^= key.0
                case 1: payload[i] ^= key.1
                case 2: payload[i] ^= key.2
                default: payload[i] ^= key.3
                }
            }
        }
        start += header + length
        return Frame(fin: fin, rsv1: rsv1, opcode: opcode, payload: payload)
    }

    private mutating func handle(_ f: Frame, _ ts: Int64, _ packetIndex: Int, _ report: inout ReadReport, _ out: inout [WebSocketMessage]) {
        switch f.opcode {
        case 8: report.count("ws.close"); return
        case 9: report.count("ws.ping"); return
        case 10: report.count("ws.pong"); return
        case 1, 2:
            messageIsText = f.opcode == 1
            compressed = f.rsv1
            message = f.payload
        default:
            report.count("ws.continuation")
            message.append(contentsOf: f.payload)
        }
        if message.count > Self.maxMessage {
            loseSync("message over the \(Self.maxMessage)-byte limit", report: &report)
            return
        }
        guard f.fin else { return }
        let isText = messageIsText ?? true
        messageIsText = nil
        count += 1
        var payload = message
        message = []
        if compressed {
            do throws(Zlib.Failure) {
                if inflater == nil { inflater = try Inflater(format: .raw) }
                payload = try inflater!.inflateMessage(payload)
                if deflate?.noContextTakeover(direction) == true { inflater!.reset() }
            } catch {
                inflater?.reset()
                report.problem(.webSocket(connection: connection, message: count, direction: direction),
                               "cannot inflate permessage-deflate message: \(error.message)", outcome: "ws.undecodable")
                return
            }
            report.count("ws.inflated")
        }
        out.append(WebSocketMessage(connection: connection, direction: direction, index: count, payload: payload,
                                    isText: isText, timestampNanos: ts, packetIndex: packetIndex))
    }
}
