/// Checks every record header of a pcap or pcapng stream as the bytes go to libpcap, so a corrupt record is named by
/// its number and byte offset (libpcap only says what it disliked, and a bad length it tolerates silently misreads
/// every record after it).
///
/// Policy: classic pcap has no sync marker and a pcapng block with a broken length cannot be skipped safely, so
/// reading **stops at the first corrupt record**; the packets before it are kept and the record is reported as one
/// counted warning (`ReadReport.corruption`). Guessing where the next record starts could invent packets.
struct PcapRecordCheck {
    /// Largest record libpcap accepts for any link type (its MAXIMUM_SNAPLEN), and so do we.
    static let maxRecord = 262_144
    /// Largest pcapng block we accept (a packet block of `maxRecord` bytes plus generous options).
    static let maxBlock = 16 * 1024 * 1024

    /// The first corrupt record: its packet number (packets before it are good), byte offset and what was wrong.
    struct Corruption: Sendable, Equatable {
        var packetIndex: Int
        var offset: Int
        var reason: String
        var description: String { "record \(packetIndex) at byte offset \(offset): \(reason)" }
    }

    private enum Format { case unknown, pcap(bigEndian: Bool, nanos: Bool, snaplen: UInt32), pcapng(bigEndian: Bool) }

    private var format = Format.unknown
    /// Bytes of the current header (or pcapng block start) collected so far.
    private var header: [UInt8] = []
    /// Payload bytes still to skip in the current record or block.
    private var skip = 0
    /// Absolute offset of the next byte to arrive, and of the record being read.
    private var offset = 0
    private var recordOffset = 0
    /// The classic-pcap record whose data is being skipped: its number and offset (for a cut-off report).
    private var inData: (index: Int, offset: Int)?
    /// Packets whose headers passed; for pcapng, packet blocks (EPB, SPB, PB).
    private(set) var packets = 0
    private(set) var corruption: Corruption?
    /// A record cut off by the end of the input: its number, offset, and bytes wanted/present.
    private(set) var cutOff: Corruption?
    /// pcapng: the current block's type and total length, to check the trailing copy of the length.
    private var blockLength = 0
    private var blockIsPacket = false

    mutating func consume(_ bytes: UnsafeRawBufferPointer) {
        var i = 0
        while i < bytes.count, corruption == nil {
            if skip > 0 {
                let n = min(skip, bytes.count - i)
                skip -= n; i += n; offset += n
                continue
            }
            header.append(bytes[i]); i += 1; offset += 1
            step()
        }
        if corruption != nil { offset += bytes.count - i }
    }

    /// The input ended: a record in progress is cut off.
    mutating func finish() {
        guard corruption == nil, cutOff == nil else { return }
        if skip > 0, let r = inData {
            cutOff = Corruption(packetIndex: r.index, offset: r.offset, reason: "the input ends inside it (\(offset - r.offset) byte(s) of it present)")
        } else if skip > 0 || !header.isEmpty {
            cutOff = Corruption(packetIndex: packets, offset: recordOffset, reason: "the input ends inside it (\(offset - recordOffset) byte(s) of it present)")
        }
    }

    private mutating func step() {
        switch format {
        case .unknown:
            guard header.count == 24 || (header.count == 4 && header == [0x0a, 0x0d, 0x0d, 0x0a]) else { return }
            if header.count == 4 { format = .pcapng(bigEndian: false); recordOffset = 0; return }  // byte order from the SHB, keep collecting
            let m = Array(header[0..<4])
            let big: Bool, nanos: Bool
            switch m {
            case [0xd4, 0xc3, 0xb2, 0xa1]: big = false; nanos = false
            case [0xa1, 0xb2, 0xc3, 0xd4]: big = true; nanos = false
            case [0x4d, 0x3c, 0xb2, 0xa1]: big = false; nanos = true
            case [0xa1, 0xb2, 0x3c, 0x4d]: big = true; nanos = true
            default: fail("not a pcap magic number"); return
            }
            format = .pcap(bigEndian: big, nanos: nanos, snaplen: u32(16, big))
            header.removeAll(keepingCapacity: true)
            recordOffset = offset
        case .pcap(let big, let nanos, let snaplen):
            guard header.count == 16 else { return }
            let frac = u32(4, big), caplen = Int(u32(8, big)), len = Int(u32(12, big))
            if caplen > Self.maxRecord {
                fail("captured length \(caplen) is over the 256 KiB (\(Self.maxRecord)-byte) limit of any capture: a garbage or misaligned record header")
            } else if snaplen > 0, caplen > Int(snaplen) {
                fail("captured length \(caplen) is over the file's snapshot length \(snaplen)")
            } else if caplen > len {
                fail("captured length \(caplen) is over the packet's original length \(len)")
            } else if frac >= (nanos ? 1_000_000_000 : 1_000_000) {
                fail("the timestamp's fraction \(frac) is not below one second (\(nanos ? "ns" : "µs")): a garbage or misaligned record header")
            } else {
                skip = caplen
                inData = (packets, recordOffset)
                packets += 1
                header.removeAll(keepingCapacity: true)
                recordOffset = offset + caplen
            }
        case .pcapng(var big):
            // Block: type, total length, body, total length again. The first 12 bytes give type and length (and,
            // in a section header, the byte order); packet blocks keep 24 to check the captured length.
            switch phase {
            case .head:
                guard header.count == 12 else { return }
                if header[0..<4] == [0x0a, 0x0d, 0x0d, 0x0a] {
                    let magic = Array(header[8..<12])
                    if magic == [0x4d, 0x3c, 0x2b, 0x1a] { big = false } else if magic == [0x1a, 0x2b, 0x3c, 0x4d] { big = true } else {
                        fail("the section header's byte-order magic is not 0x1A2B3C4D"); return
                    }
                    format = .pcapng(bigEndian: big)
                }
                let type = u32(0, big)
                let length = Int(u32(4, big))
                guard length >= 12, length % 4 == 0, length <= Self.maxBlock else {
                    fail("block length \(length) is not a multiple of 4 between 12 and \(Self.maxBlock)"); return
                }
                blockLength = length
                blockIsPacket = type == 6 || type == 3 || type == 2
                if length == 12 {
                    endBlock(trailer: Int(u32(8, big)))
                } else if type == 6 || type == 2 {
                    guard length >= 32 else { fail("packet block of \(length) bytes is shorter than its 32-byte fixed part"); return }
                    phase = .fixed
                } else {
                    skip = length - 16
                    header.removeAll(keepingCapacity: true)
                    phase = .trailer
                }
            case .fixed:
                guard header.count == 24 else { return }
                let caplen = Int(u32(20, big))
                if caplen > Self.maxRecord { fail("captured length \(caplen) is over the 256 KiB (\(Self.maxRecord)-byte) limit"); return }
                if caplen > blockLength - 32 { fail("captured length \(caplen) does not fit in the \(blockLength)-byte block"); return }
                skip = blockLength - 28
                header.removeAll(keepingCapacity: true)
                phase = .trailer
            case .trailer:
                guard header.count == 4 else { return }
                endBlock(trailer: Int(u32(0, big)))
            }
        }
    }

    private enum Phase { case head, fixed, trailer }
    private var phase = Phase.head

    private mutating func endBlock(trailer: Int) {
        guard trailer == blockLength else {
            fail("the \(blockLength)-byte block ends with length \(trailer): a corrupt or cut block"); return
        }
        if blockIsPacket { packets += 1 }
        header.removeAll(keepingCapacity: true)
        phase = .head
        recordOffset = offset
    }


    private mutating func fail(_ reason: String) {
        corruption = Corruption(packetIndex: packets, offset: recordOffset, reason: reason)
    }

    private func u32(_ at: Int, _ big: Bool) -> UInt32 {
        let b = (0..<4).map { UInt32(header[at + $0]) }
        return big ? b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3] : b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0]
    }
}
