/// One TCP segment as decoded from a packet.
public struct TCPSegment: Sendable {
    public var source: Endpoint
    public var destination: Endpoint
    public var sequence: UInt32
    public var acknowledgment: UInt32
    public var flags: UInt8
    public var payload: [UInt8]
    public var timestampNanos: Int64
    public var packetIndex: Int

    public var syn: Bool { flags & 0x02 != 0 }
    public var fin: Bool { flags & 0x01 != 0 }
    public var rst: Bool { flags & 0x04 != 0 }
    public var ack: Bool { flags & 0x10 != 0 }
}
