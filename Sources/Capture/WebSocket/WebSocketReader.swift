/// WebSocket messages from a packet capture: packets → TCP reassembly → handshake → frames → messages.
public struct WebSocketReader {
    private var packets: PacketReader
    private var reassembler = TCPReassembler()
    private var sessions: [Int: WebSocketSession] = [:]
    private var queue: [WebSocketMessage] = []
    private var head = 0
    private var finished = false
    private var streamReport: ReadReport
    private var chunks: [StreamChunk] = []

    public init(path: String, limits: TCPReassembler.Limits = .init()) throws(CaptureError) {
        packets = try PacketReader(path: path)
        reassembler = TCPReassembler(limits: limits)
        streamReport = ReadReport(file: path)
    }

    /// Packet counts plus TCP and WebSocket outcomes.
    public var report: ReadReport {
        var r = packets.report
        r.merge(streamReport)
        return r
    }

    /// The next message in either direction, in the order their last frames completed.
    public mutating func next() -> WebSocketMessage? {
        while head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
            if finished { return nil }
            chunks.removeAll(keepingCapacity: true)
            if let (_, decoded) = packets.next() {
                guard case .tcp(let segment) = decoded else { continue }
                reassembler.add(segment, report: &streamReport, into: &chunks)
            } else {
                reassembler.finish(report: &streamReport, into: &chunks)
                finished = true
            }
            for c in chunks {
                var s = sessions[c.connection] ?? WebSocketSession(connection: c.connection)
                s.feed(c, report: &streamReport, out: &queue)
                sessions[c.connection] = s
            }
        }
        defer { head += 1 }
        return queue[head]
    }
}
