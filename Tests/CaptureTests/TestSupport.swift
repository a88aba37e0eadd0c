import Foundation

/// The full recordings in `../shared/data` beside the repository (see its PROVENANCE.md); a checkout
/// without them skips the tests that read them (`.enabled(if: SharedData.has(name))`).
enum SharedData {
    /// The repository root: the nearest folder above this file that holds Package.swift.
    static let repositoryRoot: URL = {
        let start = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        var dir = start
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return dir }
            dir.deleteLastPathComponent()
        }
        return start
    }()

    static let directory = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data")

    /// The path of one recording, whether or not it is there.
    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func has(_ name: String) -> Bool { FileManager.default.isReadableFile(atPath: path(name)) }
}

/// A fresh temporary file path; the file is written by the test.
func tempPath(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("capture-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(UUID().uuidString + "-" + name).path
}

func write(_ bytes: [UInt8], _ name: String) -> String {
    let p = tempPath(name)
    FileManager.default.createFile(atPath: p, contents: Data(bytes))
    return p
}

func write(_ text: String, _ name: String) -> String { write(Array(text.utf8), name) }

/// Builds classic pcap files (microsecond, little-endian) with Ethernet/IPv4/TCP frames by hand.
struct PcapBuilder {
    var bytes: [UInt8] = []
    var packets = 0
    var recordOffsets: [Int] = []
    let baseSeconds: UInt32 = 1_700_000_000

    init(linkType: UInt32 = 1) {
        le32(0xa1b2_c3d4); le16(2); le16(4); le32(0); le32(0); le32(262_144); le32(linkType)
    }

    mutating func le16(_ v: UInt16) { bytes += [UInt8(v & 0xff), UInt8(v >> 8)] }
    mutating func le32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(v >> (8 * UInt32(i)) & 0xff)) } }

    /// Timestamp of packet `i` in nanoseconds (one microsecond apart).
    func timestampNanos(_ i: Int) -> Int64 { Int64(baseSeconds) * 1_000_000_000 + Int64(i) * 1000 }

    mutating func record(_ frame: [UInt8]) {
        recordOffsets.append(bytes.count)
        le32(baseSeconds); le32(UInt32(packets)); le32(UInt32(frame.count)); le32(UInt32(frame.count))
        bytes += frame
        packets += 1
    }

    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }

    static func ipv4(src: [UInt8], dst: [UInt8], proto: UInt8, payload: [UInt8], fragmentOffset: Int = 0) -> [UInt8] {
        var ip: [UInt8] = [0x45, 0] + be16(20 + payload.count) + [0, 1] + be16(fragmentOffset == 0 ? 0x4000 : fragmentOffset) + [64, proto, 0, 0]
        ip += src + dst
        return [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00] + ip + payload
    }

    mutating func tcp(src: [UInt8], sport: Int, dst: [UInt8], dport: Int, seq: UInt32, ack: UInt32, flags: UInt8, payload: [UInt8] = []) {
        var t = Self.be16(sport) + Self.be16(dport) + Self.be32(seq) + Self.be32(ack)
        t += [0x50, flags] + Self.be16(65535) + [0, 0, 0, 0]
        record(Self.ipv4(src: src, dst: dst, proto: 6, payload: t + payload))
    }

    mutating func udp(src: [UInt8], sport: Int, dst: [UInt8], dport: Int, payload: [UInt8]) {
        let u = Self.be16(sport) + Self.be16(dport) + Self.be16(8 + payload.count) + [0, 0]
        record(Self.ipv4(src: src, dst: dst, proto: 17, payload: u + payload))
    }
}

/// One WebSocket frame as a sender writes it.
func wsFrame(opcode: UInt8, fin: Bool = true, rsv1: Bool = false, mask: [UInt8]? = nil, _ payload: [UInt8]) -> [UInt8] {
    var f: [UInt8] = [(fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode]
    let m: UInt8 = mask == nil ? 0 : 0x80
    if payload.count < 126 {
        f.append(m | UInt8(payload.count))
    } else if payload.count < 65536 {
        f.append(m | 126)
        f += PcapBuilder.be16(payload.count)
    } else {
        f.append(m | 127)
        for i in (0..<8).reversed() { f.append(UInt8(UInt64(payload.count) >> (8 * UInt64(i)) & 0xff)) }
    }
    if let mask {
        f += mask
        f += payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
    } else {
        f += payload
    }
    return f
}
