/// One UDP payload from a capture, in capture order (the IEX feed arrives this way).
public struct UDPDatagram: Sendable {
    public var source: Endpoint
    public var destination: Endpoint
    public var timestampNanos: Int64
    /// 0-based index of the packet in the capture.
    public var packetIndex: Int
    public var payload: [UInt8]
}
