/// UDP payloads of a capture in capture order, for feed decoders (IEX-TP etc.); other packets are counted.
public struct UDPReader {
    private var packets: PacketReader

    public init(path: String) throws(CaptureError) { packets = try PacketReader(path: path) }

    public var report: ReadReport { packets.report }

    public mutating func next() -> UDPDatagram? {
        while let (_, d) = packets.next() {
            if case .udp(let u) = d { return u }
        }
        return nil
    }
}
