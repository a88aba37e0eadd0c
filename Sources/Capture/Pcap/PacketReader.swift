import Pcap

/// Packets of a pcap/pcapng file (plain, .gz or .zst) in capture order, decoded; problems go to the report.
public struct PacketReader {
    private let file: PcapFile
    private let decoder: PacketDecoder
    private let path: String
    private var index = 0
    private var ended = false
    public private(set) var report: ReadReport

    /// Opens `path`; compressed input is streamed into libpcap through a FILE* (no temp file, no whole-file buffer).
    public init(path: String) throws(CaptureError) {
        let (source, _) = try InputFile.open(path)
        let feed = SourceFeed(source: source)
        do throws(PcapFile.Failure) {
            file = try PcapFile(name: path, read: { feed.read($0) })
        } catch {
            if let e = feed.error { throw e }
            throw CaptureError(.pcap, file: path, "not a readable pcap/pcapng capture: \(error.message)")
        }
        feed.file = path
        self.path = path
        decoder = PacketDecoder(linkType: file.linkType)
        report = ReadReport(file: path)
        self.feed = feed
        if !PacketDecoder.supports(file.linkType) {
            throw CaptureError(.pcap, file: path, "link type \(file.linkType) is not supported (expected 0, 1, 12, 14, 101, 113 or 276)")
        }
    }

    private let feed: SourceFeed

    public var linkType: Int32 { file.linkType }

    /// The next decoded packet, nil at the end, after a truncated record (see `report.truncation`) or at a corrupt
    /// one (`report.corruption`; see `PcapRecordCheck` for why reading stops there).
    public mutating func next() -> (index: Int, decoded: PacketDecoder.Decoded)? {
        guard !ended else { return nil }
        let packet: PcapFile.Packet?
        do throws(PcapFile.Failure) {
            packet = try file.next()
        } catch {
            ended = true
            if let c = feed.check.corruption {
                stopAtCorruption(c, libpcap: error.message)
            } else {
                let at = feed.check.cutOff.map { "record \($0.packetIndex) at byte offset \($0.offset): " } ?? ""
                let reason = feed.error.map { "\($0.message)" } ?? error.message
                report.truncation = ReadReport.Problem(origin: .packet(error.packetIndex ?? index), reason: at + reason)
            }
            return nil
        }
        guard let packet else { ended = true; return nil }
        // libpcap reads ahead of what it returns, so the check has seen this record's header already.
        if let c = feed.check.corruption, c.packetIndex <= index {
            ended = true
            stopAtCorruption(c, libpcap: nil)
            return nil
        }
        let i = index
        index += 1
        report.count("packet")
        let d = decoder.decode(packet.data, timestampNanos: packet.timestampNanos, index: i)
        switch d {
        case .udp: report.count("udp")
        case .tcp: report.count("tcp")
        case .fragment: report.count("ipv4.fragment")
        case .other(let what): report.count(what)
        case .malformed(let why): report.problem(.packet(i), why, outcome: "malformed")
        }
        return (i, d)
    }

    private mutating func stopAtCorruption(_ c: PcapRecordCheck.Corruption, libpcap: String?) {
        let said = libpcap.map { " (libpcap: \($0))" } ?? ""
        report.corruption = ReadReport.Problem(
            origin: .packet(c.packetIndex),
            reason: "corrupt record \(c.packetIndex) at byte offset \(c.offset): \(c.reason)\(said); stopped there, the \(c.packetIndex) packet(s) before it are kept")
        report.count("corrupt")
    }

    mutating func noteProblem(_ origin: Origin, _ reason: String, outcome: String) { report.problem(origin, reason, outcome: outcome) }
    mutating func count(_ outcome: String, _ n: Int = 1) { report.count(outcome, n) }
}

/// Adapts a ByteSource to the read callback libpcap's FILE* calls, keeping the error for the report.
final class SourceFeed {
    let source: any ByteSource
    var error: CaptureError?
    var file = ""
    /// Every byte libpcap reads passes through the record check, which names a corrupt record by number and offset.
    var check = PcapRecordCheck()

    init(source: any ByteSource) { self.source = source }

    func read(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        do {
            let n = try source.read(into: buffer)
            if n > 0 { check.consume(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) } else { check.finish() }
            return n
        } catch {
            self.error = error
            return -1
        }
    }
}
