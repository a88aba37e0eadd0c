/// Runs a line parser over a file's lines, counting outcomes and keeping problem locations.
struct LineRecordReader {
    private var lines: LineReader
    private let parser: any LineParser
    private var ended = false
    var report: ReadReport

    init(path: String, parser: any LineParser, format: CaptureFormat) throws(CaptureError) {
        let (source, _) = try InputFile.open(path)
        lines = LineReader(source: source)
        self.parser = parser
        report = ReadReport(file: path, format: format)
    }

    /// The next message or access-log entry with its raw line; nil at the end (or at a truncated compressed stream).
    mutating func next() throws(CaptureError) -> (LineOutcome, [UInt8])? {
        while !ended {
            let line: LineReader.Line?
            do throws(CaptureError) {
                line = try lines.next()
            } catch {
                guard error.kind == .decompression else { throw error }
                // Keep everything read so far; say where and why the input stopped.
                ended = true
                report.truncation = ReadReport.Problem(origin: .line(lines.lineNumber + 1), reason: error.message)
                return nil
            }
            guard let line else { ended = true; return nil }
            let n = lines.lineNumber
            guard case .text(let bytes) = line else {
                report.problem(.line(n), "line longer than \(LineReader.maxLineLength) bytes")
                continue
            }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { report.count("empty"); continue }
            let outcome = parser.parse(bytes, lineNumber: n)
            switch outcome {
            case .message, .accessLog:
                report.count("message")
                return (outcome, bytes)
            case .request:
                report.count("request")
                return (outcome, bytes)
            case .counted(let what): report.count(what)
            case .bad(let why): report.problem(.line(n), why)
            }
        }
        return nil
    }
}
