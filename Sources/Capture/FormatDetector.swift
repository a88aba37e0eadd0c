/// Tells the capture format from content: magic bytes after decompression, then the first non-empty lines.
public enum FormatDetector {
    /// How many decompressed bytes detection looks at.
    public static let sniffLength = 64 * 1024

    /// The format of content starting with `prefix`, nil if none matches.
    public static func detect(_ prefix: [UInt8]) -> CaptureFormat? {
        if prefix.count >= 4 {
            let m = Array(prefix[0..<4])
            let pcapMagics: [[UInt8]] = [[0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0xc3, 0xd4], [0x4d, 0x3c, 0xb2, 0xa1], [0xa1, 0xb2, 0x3c, 0x4d]]
            if pcapMagics.contains(m) { return .pcap }
            if m == [0x0a, 0x0d, 0x0d, 0x0a] { return .pcapng }
        }
        // Look at up to 5 non-empty lines; the first one that matches a format decides, except that
        // cryptofeed v1 files start with a connect line and CLF logs can't be confused with JSON.
        var linesSeen = 0
        for raw in prefix.split(separator: 0x0a, omittingEmptySubsequences: true) {
            var line = Array(raw)
            if line.last == 0x0d { line.removeLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            if let f = classify(line) { return f }
            linesSeen += 1
            if linesSeen >= 5 { break }
        }
        return nil
    }

    static func classify(_ line: [UInt8]) -> CaptureFormat? {
        if line == NASATSVParser.header { return .nasaTSV }
        if line.starts(with: RecordingFormat.linePrefix) { return .recording }
        guard let first = line.first else { return nil }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            if first == UInt8(ascii: "{"), case .message = CryptofeedV3Parser().parse(line, lineNumber: 1) { return .cryptofeedV3 }
            if first == UInt8(ascii: "{"), case .counted = CryptofeedV3Parser().parse(line, lineNumber: 1) { return .cryptofeedV3 }
            if case .message = RecordingParser().parse(line, lineNumber: 1) { return .recording }
            if case .message = JSONLParser().parse(line, lineNumber: 1) { return .jsonl }
            return nil
        }
        switch NSLineParser().parse(line, lineNumber: 1) {
        case .message, .request: return .nsLines
        default: break
        }
        switch CryptofeedV1Parser().parse(line, lineNumber: 1) {
        case .message, .counted: return .cryptofeedV1
        default: break
        }
        if case .accessLog = CommonLogParser().parse(line, lineNumber: 1) { return .accessLog }
        if line.split(separator: 0x09, omittingEmptySubsequences: false).count == 9,
           case .accessLog = NASATSVParser().parse(line, lineNumber: 1) { return .nasaTSV }
        return nil
    }
}
