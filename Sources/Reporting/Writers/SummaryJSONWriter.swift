/// Writes `summary.json`: the full report, pretty-printed with sorted keys.
public struct SummaryJSONWriter: ReportWriter {
    public let fileName = "summary.json"
    public init() {}

    public func render(_ report: RunReport) throws -> [UInt8] {
        Array(try SummaryCoding.encoder().encode(report)) + [0x0A]
    }
}
