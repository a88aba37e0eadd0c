/// Where in a capture something came from, for messages and for reported problems.
public enum Origin: Sendable, Hashable, CustomStringConvertible {
    /// 1-based line number in a text recording.
    case line(Int)
    /// 0-based packet index in a pcap/pcapng capture.
    case packet(Int)
    /// n-th message (1-based) of one direction of a WebSocket connection.
    case webSocket(connection: Int, message: Int, direction: Direction)
    /// A TCP connection as a whole (e.g. a gap that never filled).
    case tcpConnection(Int, Direction)
    /// The end of the input (e.g. a truncated compressed stream).
    case endOfInput

    public var description: String {
        switch self {
        case .line(let n): "line \(n)"
        case .packet(let n): "packet \(n)"
        case .webSocket(let c, let m, let d): "websocket connection \(c) \(d) message \(m)"
        case .tcpConnection(let c, let d): "tcp connection \(c) \(d)"
        case .endOfInput: "end of input"
        }
    }
}

/// Which way bytes flowed on a connection.
public enum Direction: Int, Sendable, Hashable, CustomStringConvertible {
    case clientToServer = 0
    case serverToClient = 1

    public var reversed: Direction { self == .clientToServer ? .serverToClient : .clientToServer }
    public var description: String { self == .clientToServer ? "client→server" : "server→client" }
}
