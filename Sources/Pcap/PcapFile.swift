import CPcap
#if canImport(Glibc)
import Glibc
#endif

/// Reads captured packets from a pcap or pcapng file through libpcap.
public final class PcapFile {
    /// A failure opening or reading a capture, naming the file (and the packet, when reading).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var path: String
        /// Zero-based index of the packet libpcap failed on; nil when opening failed.
        public var packetIndex: Int?
        public var message: String
        public var description: String {
            if let i = packetIndex { return "\(path): packet \(i): \(message)" }
            return "\(path): \(message)"
        }
    }

    /// One captured packet: capture time and the bytes on the wire (as much as was captured).
    public struct Packet {
        public var timestampNanos: Int64
        public var originalLength: Int
        public var data: [UInt8]
    }

    /// Holds the byte supplier that the fopencookie stream reads from.
    private final class Feed {
        let read: (UnsafeMutableRawBufferPointer) -> Int
        init(read: @escaping (UnsafeMutableRawBufferPointer) -> Int) { self.read = read }
    }

    private let handle: OpaquePointer
    public let path: String
    /// The link-layer type (1 = Ethernet), telling how to decode each packet.
    public let linkType: Int32
    private var index = 0

    public init(path: String) throws(Failure) {
        var err = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let h = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &err) else {
            throw Failure(path: path, packetIndex: nil, message: String(cString: err))
        }
        handle = h
        self.path = path
        linkType = pcap_datalink(h)
    }

    /// Reads a capture from a byte supplier (e.g. a decompressor) without a file on disk.
    /// `read` fills the buffer and returns the byte count, 0 at the end, -1 on error.
    /// libpcap only reads through a `FILE*`, so the supplier is wrapped with glibc's fopencookie.
    public init(name: String, read: @escaping (UnsafeMutableRawBufferPointer) -> Int) throws(Failure) {
        let cookie = Unmanaged.passRetained(Feed(read: read)).toOpaque()
        var funcs = risksignal_cookie_io_functions_t()
        funcs.read = { cookie, buffer, size in
            let feed = Unmanaged<Feed>.fromOpaque(cookie!).takeUnretainedValue()
            return feed.read(UnsafeMutableRawBufferPointer(start: buffer, count: size))
        }
        funcs.close = { cookie in
            Unmanaged<Feed>.fromOpaque(cookie!).release()
            return 0
        }
        guard let fp = risksignal_fopencookie(cookie, "r", funcs) else {
            Unmanaged<Feed>.fromOpaque(cookie).release()
            throw Failure(path: name, packetIndex: nil, message: "cannot create a stream for libpcap")
        }
        var err = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let h = pcap_fopen_offline_with_tstamp_precision(fp, UInt32(PCAP_TSTAMP_PRECISION_NANO), &err) else {
            fclose(fp)
            throw Failure(path: name, packetIndex: nil, message: String(cString: err))
        }
        handle = h
        path = name
        linkType = pcap_datalink(h)
    }

    deinit { pcap_close(handle) }  // also closes the FILE (and so releases the feed)


    /// The next packet, nil at the end; a truncated or unreadable record throws, naming its index.
    public func next() throws(Failure) -> Packet? {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let r = pcap_next_ex(handle, &header, &data)
        switch r {
        case 1:
            let h = header!.pointee
            let bytes = Array(UnsafeBufferPointer(start: data, count: Int(h.caplen)))
            index += 1
            // With nanosecond precision requested, libpcap puts nanoseconds in tv_usec.
            return Packet(timestampNanos: Int64(h.ts.tv_sec) * 1_000_000_000 + Int64(h.ts.tv_usec),
                          originalLength: Int(h.len), data: bytes)
        case PCAP_ERROR_BREAK:
            return nil
        default:
            throw Failure(path: path, packetIndex: index, message: String(cString: pcap_geterr(handle)))
        }
    }
}
