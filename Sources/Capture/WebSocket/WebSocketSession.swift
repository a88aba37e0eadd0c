/// Follows one TCP connection: finds the HTTP Upgrade handshake, then reads frames both ways.
struct WebSocketSession {
    private enum Phase {
        case awaitingRequest
        case awaitingResponse
        case open
        case notWebSocket
    }

    static let maxHead = 64 * 1024

    let connection: Int
    private var phase = Phase.awaitingRequest
    private var head: [[UInt8]] = [[], []]
    private var readers: [FrameReader]
    private(set) var deflate: DeflateParameters?

    init(connection: Int) {
        self.connection = connection
        readers = [FrameReader(connection: connection, direction: .clientToServer),
                   FrameReader(connection: connection, direction: .serverToClient)]
    }

    mutating func feed(_ c: StreamChunk, report: inout ReadReport, out: inout [WebSocketMessage]) {
        let d = c.direction.rawValue
        if c.gapBefore > 0 {
            if phase == .open {
                readers[d].loseSync("\(c.gapBefore) bytes missing in the TCP stream", report: &report)
            } else if phase != .notWebSocket {
                giveUp("gap in the TCP stream before the handshake finished", report: &report)
            }
        }
        switch phase {
        case .notWebSocket:
            return
        case .open:
            readers[d].feed(c.bytes, timestampNanos: c.timestampNanos, packetIndex: c.packetIndex, report: &report, out: &out)
        case .awaitingRequest:
            guard c.direction == .clientToServer else {
                giveUp("server spoke before any HTTP request (capture started mid-connection?)", report: &report)
                return
            }
            head[0].append(contentsOf: c.bytes)
            guard let (request, length) = HTTPHead.parse(head[0]) else {
                if head[0].count > Self.maxHead { giveUp("no complete HTTP request head in \(Self.maxHead) bytes", report: &report) }
                return
            }
            guard request.startLine.hasPrefix("GET "), request.header("upgrade")?.lowercased() == "websocket" else {
                giveUp("not a WebSocket upgrade request", report: &report)
                return
            }
            phase = .awaitingResponse
            readers[0].hold(head[0][length...])
            head[0] = []
        case .awaitingResponse:
            guard c.direction == .serverToClient else {
                readers[0].hold(c.bytes)
                return
            }
            head[1].append(contentsOf: c.bytes)
            guard let (response, length) = HTTPHead.parse(head[1]) else {
                if head[1].count > Self.maxHead { giveUp("no complete HTTP response head in \(Self.maxHead) bytes", report: &report) }
                return
            }
            let status = response.startLine.split(separator: " ")
            guard status.count >= 2, status[0].hasPrefix("HTTP/1."), status[1] == "101" else {
                giveUp("server answered '\(response.startLine)' instead of 101 Switching Protocols", report: &report)
                return
            }
            phase = .open
            report.count("ws.connection")
            deflate = response.header("sec-websocket-extensions").flatMap(DeflateParameters.parse)
            if deflate != nil { report.count("ws.permessageDeflate") }
            readers[0].enableDeflate(deflate)
            readers[1].enableDeflate(deflate)
            // Client frames held until now can be parsed now that the extensions are known.
            readers[0].feed([], timestampNanos: c.timestampNanos, packetIndex: c.packetIndex, report: &report, out: &out)
            readers[1].feed(head[1][length...], timestampNanos: c.timestampNanos, packetIndex: c.packetIndex, report: &report, out: &out)
            head[1] = []
        }
    }

    private mutating func giveUp(_ reason: String, report: inout ReadReport) {
        phase = .notWebSocket
        head = [[], []]
        report.count("tcp.notWebSocket")
        report.count("tcp.notWebSocket: \(reason)")
    }
}
