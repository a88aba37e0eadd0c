/// Reads any supported capture as a sequence of messages, one `next()` at a time.
///
/// Line formats give one message per received line; pcap/pcapng give WebSocket messages (server→client,
/// plus client→server when asked). For UDP feeds use `UDPReader`, for typed access-log entries `AccessLogReader`.
public struct CaptureReader {
    public let path: String
    public let format: CaptureFormat
    private var lines: LineRecordReader?
    private var webSocket: WebSocketReader?
    private let includeClientMessages: Bool

    /// Opens `path`; `format` nil means detect it from content.
    public init(path: String, format: CaptureFormat? = nil, includeClientMessages: Bool = false) throws(CaptureError) {
        self.path = path
        if let format { self.format = format } else { self.format = try Self.detectFormat(path: path) }
        self.includeClientMessages = includeClientMessages
        let parser: any LineParser
        switch self.format {
        case .pcap, .pcapng:
            webSocket = try WebSocketReader(path: path)
            return
        case .nsLines: parser = NSLineParser()
        case .cryptofeedV1: parser = CryptofeedV1Parser()
        case .cryptofeedV3: parser = CryptofeedV3Parser()
        case .recording: parser = RecordingParser()
        case .accessLog: parser = CommonLogParser()
        case .nasaTSV: parser = NASATSVParser()
        case .jsonl: parser = JSONLParser()
        }
        lines = try LineRecordReader(path: path, parser: parser, format: self.format)
    }

    /// Counts per outcome, skipped locations and truncation so far (complete after `next()` returned nil).
    public var report: ReadReport {
        var r = lines?.report ?? webSocket!.report
        r.format = format
        return r
    }

    /// The next message, nil at the end.
    public mutating func next() throws(CaptureError) -> CapturedMessage? {
        if webSocket != nil {
            while let m = webSocket!.next() {
                if m.direction == .clientToServer && !includeClientMessages { continue }
                return CapturedMessage(timestampNanos: m.timestampNanos, payload: m.payload,
                                       origin: .webSocket(connection: m.connection, message: m.index, direction: m.direction),
                                       isText: m.isText)
            }
            return nil
        }
        guard let (outcome, line) = try lines!.next() else { return nil }
        switch outcome {
        case .message(let m), .request(let m): return m
        case .accessLog(let e): return CapturedMessage(timestampNanos: e.timeNanos, payload: line, origin: .line(e.line))
        case .counted, .bad: return nil  // LineRecordReader only returns messages
        }
    }

    /// The format of `path` from its content (after decompression); throws naming the formats tried.
    public static func detectFormat(path: String) throws(CaptureError) -> CaptureFormat {
        let (source, compression) = try InputFile.open(path)
        let prefix: [UInt8]
        do throws(CaptureError) {
            // A short compressed file cut off inside the sniffed range is still detected from what decompressed.
            prefix = try source.readPrefix(FormatDetector.sniffLength, partialOnDecompressionError: true)
        } catch {
            guard error.kind == .decompression else { throw error }
            throw CaptureError(.decompression, file: path, "cannot decompress the start of the file for detection: \(error.message)")
        }
        if let f = FormatDetector.detect(prefix) { return f }
        let tried = CaptureFormat.allCases
        let what = prefix.isEmpty ? "the file is empty" : "the first lines/bytes match none of them"
        throw CaptureError(.unknownFormat(tried: tried), file: path,
                           "unknown capture format (compression: \(compression.rawValue)); tried \(tried.map(\.rawValue).joined(separator: ", ")): \(what). Pass the format explicitly if it is one of these.")
    }
}
