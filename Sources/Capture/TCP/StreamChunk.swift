/// In-order bytes of one direction of a TCP connection, as reassembly releases them.
public struct StreamChunk: Sendable {
    /// 1-based connection id, in order of first appearance.
    public var connection: Int
    public var direction: Direction
    public var client: Endpoint
    public var server: Endpoint
    public var bytes: [UInt8]
    /// Capture time of the segment whose arrival released these bytes (the one that completed them).
    public var timestampNanos: Int64
    public var packetIndex: Int
    /// Bytes known to be missing just before this chunk (a gap that never filled); 0 normally.
    public var gapBefore: Int
}
