/// One complete (defragmented, inflated) WebSocket data message.
public struct WebSocketMessage: Sendable {
    public var connection: Int
    public var direction: Direction
    /// 1-based index among this connection's messages in this direction.
    public var index: Int
    public var payload: [UInt8]
    public var isText: Bool
    /// Capture time of the segment that completed the message's last frame.
    public var timestampNanos: Int64
    public var packetIndex: Int
}
