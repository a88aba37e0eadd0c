/// How a file's bytes are compressed, told by their first bytes (never by the file name).
public enum Compression: String, Sendable, CaseIterable {
    case none
    case gzip
    case zstd

    /// gzip starts 1f 8b; a zstd frame starts 28 b5 2f fd.
    public static func sniff(_ prefix: some Collection<UInt8>) -> Compression {
        let p = Array(prefix.prefix(4))
        if p.count >= 2 && p[0] == 0x1f && p[1] == 0x8b { return .gzip }
        if p == [0x28, 0xb5, 0x2f, 0xfd] { return .zstd }
        return .none
    }
}
