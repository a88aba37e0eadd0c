import Foundation

/// Everything one rsbench run measured, in the versioned `rsbench.summary/1` schema.
public struct RunReport: Codable, Sendable, Equatable {
    /// The schema this type writes; readers reject other major versions.
    public static let currentSchema = "rsbench.summary/1"

    public var schema: String
    public var scenario: ScenarioRef
    /// UTC start of the measured window (after warm-up).
    public var startedAt: Date
    /// UTC end of the measured window.
    public var endedAt: Date
    /// Length of the measured window in seconds (warm-up not included).
    public var durationSeconds: Double
    /// Seconds of warm-up that ran before `startedAt` and are excluded from every metric.
    public var warmupExcludedSeconds: Double
    public var verdict: Verdict
    public var events: EventCounts
    public var latency: LatencySet
    public var timeSeries: [TimeSample]
    public var tables: [TableStats]
    public var streams: [StreamStats]
    public var crossChecks: [CrossCheck]
    public var gates: [GateResult]
    public var resources: [ProcessResources]
    public var environment: EnvironmentFingerprint

    public init(
        scenario: ScenarioRef,
        startedAt: Date,
        endedAt: Date,
        durationSeconds: Double? = nil,
        warmupExcludedSeconds: Double = 0,
        verdict: Verdict,
        events: EventCounts = EventCounts(),
        latency: LatencySet = LatencySet(),
        timeSeries: [TimeSample] = [],
        tables: [TableStats] = [],
        streams: [StreamStats] = [],
        crossChecks: [CrossCheck] = [],
        gates: [GateResult] = [],
        resources: [ProcessResources] = [],
        environment: EnvironmentFingerprint
    ) {
        self.schema = Self.currentSchema
        self.scenario = scenario
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.durationSeconds = durationSeconds ?? endedAt.timeIntervalSince(startedAt)
        self.warmupExcludedSeconds = warmupExcludedSeconds
        self.verdict = verdict
        self.events = events
        self.latency = latency
        self.timeSeries = timeSeries
        self.tables = tables
        self.streams = streams
        self.crossChecks = crossChecks
        self.gates = gates
        self.resources = resources
        self.environment = environment
    }

    /// Reads a `summary.json`, refusing a schema this code does not understand.
    public static func decode(from data: Data) throws -> RunReport {
        let report: RunReport
        do {
            report = try SummaryCoding.decoder().decode(RunReport.self, from: data)
        } catch {
            throw ReportingError.undecodableSummary(underlying: String(describing: error))
        }
        guard report.schema.hasPrefix("rsbench.summary/1") else {
            throw ReportingError.unsupportedSchema(found: report.schema, expected: currentSchema)
        }
        return report
    }

    /// Reads a `summary.json` file (or a report directory containing one).
    public static func load(from url: URL) throws -> RunReport {
        var file = url
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue {
            file = url.appendingPathComponent(SummaryJSONWriter().fileName)
        }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw ReportingError.unreadableFile(path: file.path)
        }
        return try decode(from: data)
    }
}
