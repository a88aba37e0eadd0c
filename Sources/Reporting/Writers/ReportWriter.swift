/// Turns a report into the bytes of one output file.
public protocol ReportWriter: Sendable {
    /// File name inside the report directory, e.g. `summary.json`.
    var fileName: String { get }
    func render(_ report: RunReport) throws -> [UInt8]
}

extension ReportWriter {
    /// Convenience for writers whose output is text.
    public func renderString(_ report: RunReport) throws -> String {
        String(decoding: try render(report), as: UTF8.self)
    }
}

/// The writers `ReportDirectory` uses by default: everything DESIGN §4 lists.
public enum StandardWriters {
    public static var all: [any ReportWriter] {
        [SummaryJSONWriter(), MarkdownReportWriter(), HTMLReportWriter(), JUnitWriter(), EnvironmentJSONWriter()]
    }
}
