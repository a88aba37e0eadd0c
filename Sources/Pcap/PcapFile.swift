import CPcap
#if canImport(Glibc)
import Glibc
#endif

/// Reads captured packets from a pcap or pcapng file through libpcap.
public final class PcapFile {
    /// A failure opening or reading a capture, naming the file.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// One captured packet: capture time and the bytes on the wire (as much as was captured).
    public struct Packet {
        public var timestampNanos: Int64
        public var originalLength: Int
        public var data: [UInt8]
    }

    private let handle: OpaquePointer
    public let path: String
    /// The link-layer type (1 = Ethernet), telling how to decode each packet.
    public let linkType: Int32

    public init(path: String) throws(Failure) {
        var err = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let h = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &err) else {
            throw Failure(path: path, message: String(cString: err))
        }
        handle = h
        self.path = path
        linkType = pcap_datalink(h)
    }

    deinit { pcap_close(handle) }

    /// The next packet, nil at the end; a truncated last record is an error naming it.
    public func next() throws(Failure) -> Packet? {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let r = pcap_next_ex(handle, &header, &data)
        switch r {
        case 1:
            let h = header!.pointee
            let bytes = Array(UnsafeBufferPointer(start: data, count: Int(h.caplen)))
            return Packet(timestampNanos: Int64(h.ts.tv_sec) * 1_000_000_000 + Int64(h.ts.tv_usec),
                          originalLength: Int(h.len), data: bytes)
        case PCAP_ERROR_BREAK:
            return nil
        default:
            throw Failure(path: path, message: String(cString: pcap_geterr(handle)))
        }
    }
}
