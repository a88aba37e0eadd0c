/// Web access log entries (Common/Combined Log Format or the NASA TSV), malformed lines counted and skipped.
public struct AccessLogReader {
    private var reader: LineRecordReader
    public let format: CaptureFormat

    /// `format` nil: detected (must come out as `.accessLog` or `.nasaTSV`).
    public init(path: String, format: CaptureFormat? = nil) throws(CaptureError) {
        let f: CaptureFormat
        if let format { f = format } else { f = try CaptureReader.detectFormat(path: path) }
        let parser: any LineParser
        switch f {
        case .accessLog: parser = CommonLogParser()
        case .nasaTSV: parser = NASATSVParser()
        default: throw CaptureError(.wrongFormat, file: path, "is \(f), not an access log (accessLog or nasaTSV)")
        }
        self.format = f
        reader = try LineRecordReader(path: path, parser: parser, format: f)
    }

    public var report: ReadReport { reader.report }

    public mutating func next() throws(CaptureError) -> AccessLogEntry? {
        while let (outcome, _) = try reader.next() {
            if case .accessLog(let e) = outcome { return e }
        }
        return nil
    }
}
