/// Writes `environment.json`: the environment fingerprint alone, for quick diffing between runs.
public struct EnvironmentJSONWriter: ReportWriter {
    public let fileName = "environment.json"
    public init() {}

    public func render(_ report: RunReport) throws -> [UInt8] {
        Array(try SummaryCoding.encoder().encode(report.environment)) + [0x0A]
    }
}
