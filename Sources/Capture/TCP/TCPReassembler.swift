/// Reassembles TCP byte streams per connection and direction, in sequence order.
///
/// Retransmitted and overlapping bytes are dropped (counted); out-of-order segments wait in a bounded
/// buffer until the gap fills. When the buffer bound is hit, or the capture ends with a gap, the gap is
/// reported and skipped, and the next chunk carries `gapBefore` so the consumer can resynchronise.
public struct TCPReassembler {
    /// Bounds on what one direction may hold while waiting for a missing segment.
    public struct Limits: Sendable {
        public var maxBufferedSegments: Int
        public var maxBufferedBytes: Int
        public init(maxBufferedSegments: Int = 1024, maxBufferedBytes: Int = 16 << 20) {
            self.maxBufferedSegments = maxBufferedSegments
            self.maxBufferedBytes = maxBufferedBytes
        }
    }

    private struct FlowKey: Hashable {
        var a: Endpoint
        var b: Endpoint
        init(_ x: Endpoint, _ y: Endpoint) { (a, b) = x < y ? (x, y) : (y, x) }
    }

    private struct Pending {
        var sequence: UInt32
        var payload: [UInt8]
        var fin: Bool
        var timestampNanos: Int64
        var packetIndex: Int
    }

    private struct Half {
        var nextSequence: UInt32?
        var initialSequence: UInt32?
        var pending: [Pending] = []
        var pendingBytes = 0
        var finished = false
    }

    private struct Connection {
        var id: Int
        var client: Endpoint
        var server: Endpoint
        var halves = [Half(), Half()]
        var reset = false
        var closed: Bool { reset || (halves[0].finished && halves[1].finished) }
    }

    public let limits: Limits
    private var connections: [FlowKey: Connection] = [:]
    private var nextId = 1

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Adds one segment; released in-order bytes are appended to `out`.
    public mutating func add(_ s: TCPSegment, report: inout ReadReport, into out: inout [StreamChunk]) {
        let key = FlowKey(s.source, s.destination)
        var conn: Connection
        if let c = connections[key] {
            conn = c
            // A fresh SYN on a finished (or differently numbered) flow is a new connection on reused ports.
            if s.syn && !s.ack && (c.closed || (s.source == c.client && c.halves[0].initialSequence.map { $0 != s.sequence } ?? false)) {
                flushAll(&conn, report: &report, into: &out, at: s)
                conn = newConnection(s)
            }
        } else {
            conn = newConnection(s)
        }
        let dir: Direction = s.source == conn.client ? .clientToServer : .serverToClient
        defer { connections[key] = conn }
        if s.rst {
            report.count("tcp.rst")
            conn.reset = true
            for d in [Direction.clientToServer, .serverToClient] where !conn.halves[d.rawValue].pending.isEmpty {
                report.problem(.tcpConnection(conn.id, d), "reset with \(conn.halves[d.rawValue].pendingBytes) bytes still waiting behind a gap", outcome: "tcp.gap")
                conn.halves[d.rawValue].pending.removeAll()
                conn.halves[d.rawValue].pendingBytes = 0
            }
            return
        }
        var half = conn.halves[dir.rawValue]
        defer { conn.halves[dir.rawValue] = half }
        if s.syn {
            if half.nextSequence == nil {
                half.nextSequence = s.sequence &+ 1
                half.initialSequence = s.sequence
            } else {
                report.count("tcp.retransmitted")
            }
            return
        }
        if half.nextSequence == nil {
            // The capture started mid-connection: take this segment as the start.
            half.nextSequence = s.sequence
            report.count("tcp.midstream")
        }
        var released: [UInt8] = []
        accept(&half, Pending(sequence: s.sequence, payload: s.payload, fin: s.fin, timestampNanos: s.timestampNanos, packetIndex: s.packetIndex), released: &released, report: &report, fresh: true)
        drain(&half, released: &released, report: &report)
        emit(conn, dir, &released, gap: 0, s.timestampNanos, s.packetIndex, into: &out)
        if half.pending.count > limits.maxBufferedSegments || half.pendingBytes > limits.maxBufferedBytes {
            skipGaps(&half, conn, dir, reason: "buffer limit reached", report: &report, into: &out, at: s, untilWithinLimits: true)
        }
    }

    /// Ends the capture: gaps that never filled are reported and skipped so their bytes still come out.
    public mutating func finish(report: inout ReadReport, into out: inout [StreamChunk]) {
        for key in connections.keys.sorted(by: { connections[$0]!.id < connections[$1]!.id }) {
            var conn = connections[key]!
            flushAll(&conn, report: &report, into: &out, at: nil)
            connections[key] = conn
        }
    }

    private mutating func newConnection(_ s: TCPSegment) -> Connection {
        let client: Endpoint, server: Endpoint
        if s.syn && !s.ack {
            (client, server) = (s.source, s.destination)
        } else if s.syn && s.ack {
            (client, server) = (s.destination, s.source)
        } else {
            // No handshake seen: assume the server is on the lower (well-known) port.
            (client, server) = s.source.port >= s.destination.port ? (s.source, s.destination) : (s.destination, s.source)
        }
        defer { nextId += 1 }
        return Connection(id: nextId, client: client, server: server)
    }

    private func accept(_ half: inout Half, _ p: Pending, released: inout [UInt8], report: inout ReadReport, fresh: Bool) {
        guard let next = half.nextSequence else { return }
        let rel = Int(Int32(bitPattern: p.sequence &- next))
        let len = p.payload.count
        if rel > 0 {
            guard len > 0 || p.fin else { return }
            if fresh {
                if half.pending.contains(where: { $0.sequence == p.sequence && $0.payload.count >= len }) {
                    report.count("tcp.retransmitted")
                    return
                }
                report.count("tcp.outOfOrder")
            }
            half.pending.append(p)
            half.pendingBytes += len
            return
        }
        if half.finished || rel + len < 0 || (rel + len == 0 && !p.fin) {
            if len > 0 { report.count("tcp.retransmitted") }
            return
        }
        let trim = -rel
        if trim > 0 { report.count("tcp.overlap") }
        if trim < len { released.append(contentsOf: p.payload[trim...]) }
        half.nextSequence = next &+ UInt32(len - trim)
        if p.fin {
            half.nextSequence = half.nextSequence! &+ 1
            half.finished = true
        }
    }

    private func drain(_ half: inout Half, released: inout [UInt8], report: inout ReadReport) {
        while !half.pending.isEmpty, let next = half.nextSequence {
            guard let i = half.pending.indices.min(by: { Int32(bitPattern: half.pending[$0].sequence &- next) < Int32(bitPattern: half.pending[$1].sequence &- next) }),
                  Int32(bitPattern: half.pending[i].sequence &- next) <= 0 else { return }
            let p = half.pending.remove(at: i)
            half.pendingBytes -= p.payload.count
            accept(&half, p, released: &released, report: &report, fresh: false)
        }
    }

    private func skipGaps(_ half: inout Half, _ conn: Connection, _ dir: Direction, reason: String, report: inout ReadReport,
                          into out: inout [StreamChunk], at s: TCPSegment?, untilWithinLimits: Bool) {
        while !half.pending.isEmpty, let next = half.nextSequence {
            if untilWithinLimits && half.pending.count <= limits.maxBufferedSegments && half.pendingBytes <= limits.maxBufferedBytes { return }
            let first = half.pending.min { Int32(bitPattern: $0.sequence &- next) < Int32(bitPattern: $1.sequence &- next) }!
            let gap = Int(first.sequence &- next)
            report.problem(.tcpConnection(conn.id, dir), "\(gap) bytes missing at sequence \(next) never arrived (\(reason)); skipped", outcome: "tcp.gap")
            half.nextSequence = first.sequence
            var released: [UInt8] = []
            drain(&half, released: &released, report: &report)
            emit(conn, dir, &released, gap: gap, s?.timestampNanos ?? first.timestampNanos, s?.packetIndex ?? first.packetIndex, into: &out)
        }
    }

    private func flushAll(_ conn: inout Connection, report: inout ReadReport, into out: inout [StreamChunk], at s: TCPSegment?) {
        for d in [Direction.clientToServer, .serverToClient] {
            var half = conn.halves[d.rawValue]
            skipGaps(&half, conn, d, reason: "capture ended or connection reused", report: &report, into: &out, at: s, untilWithinLimits: false)
            conn.halves[d.rawValue] = half
        }
    }

    private func emit(_ conn: Connection, _ dir: Direction, _ bytes: inout [UInt8], gap: Int, _ ts: Int64, _ index: Int, into out: inout [StreamChunk]) {
        guard !bytes.isEmpty || gap > 0 else { return }
        out.append(StreamChunk(connection: conn.id, direction: dir, client: conn.client, server: conn.server, bytes: bytes,
                               timestampNanos: ts, packetIndex: index, gapBefore: gap))
        bytes = []
    }
}
