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
    /// CPU per published event, per process (in `resources`) and for the whole stack (1.2; absent in older files).
    public var cost: CPUCost?
    public var environment: EnvironmentFingerprint
    /// Per workload: offered, sent, acked, stored, lost, and its send-side latencies.
    public var workloads: [WorkloadStats]
    /// What the pipeline reported: dead letters, book gaps, backlog, drain, alerts.
    public var pipeline: PipelineCounters
    /// Why the run is invalid, when it is (rsbench could not hold the schedule, or used too much CPU).
    public var invalidReasons: [String]
    /// Things a reader should know about this run (errors, early stops).
    public var notes: [String]
    /// The e2e lag split into stages (publish, fetch wait, batch wait, insert, visible); nil when not measured.
    public var stages: E2EStages?
    /// Alert latency split into stages (to the detector, detect, publish, dispatch, webhook, answer); nil when no alert was timed.
    public var alertStages: AlertStages?

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
        cost: CPUCost? = nil,
        environment: EnvironmentFingerprint,
        workloads: [WorkloadStats] = [],
        pipeline: PipelineCounters = PipelineCounters(),
        invalidReasons: [String] = [],
        notes: [String] = []
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
        self.cost = cost
        self.environment = environment
        self.workloads = workloads
        self.pipeline = pipeline
        self.invalidReasons = invalidReasons
        self.notes = notes
    }

    // Summaries written before `workloads`, `pipeline`, `invalidReasons`, `notes` and `cost` existed still load.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schema = try c.decode(String.self, forKey: .schema)
        scenario = try c.decode(ScenarioRef.self, forKey: .scenario)
        startedAt = try c.decode(Date.self, forKey: .startedAt)
        endedAt = try c.decode(Date.self, forKey: .endedAt)
        durationSeconds = try c.decode(Double.self, forKey: .durationSeconds)
        warmupExcludedSeconds = try c.decode(Double.self, forKey: .warmupExcludedSeconds)
        verdict = try c.decode(Verdict.self, forKey: .verdict)
        events = try c.decode(EventCounts.self, forKey: .events)
        latency = try c.decode(LatencySet.self, forKey: .latency)
        timeSeries = try c.decode([TimeSample].self, forKey: .timeSeries)
        tables = try c.decode([TableStats].self, forKey: .tables)
        streams = try c.decode([StreamStats].self, forKey: .streams)
        crossChecks = try c.decode([CrossCheck].self, forKey: .crossChecks)
        gates = try c.decode([GateResult].self, forKey: .gates)
        resources = try c.decode([ProcessResources].self, forKey: .resources)
        cost = try c.decodeIfPresent(CPUCost.self, forKey: .cost)
        environment = try c.decode(EnvironmentFingerprint.self, forKey: .environment)
        workloads = try c.decodeIfPresent([WorkloadStats].self, forKey: .workloads) ?? []
        pipeline = try c.decodeIfPresent(PipelineCounters.self, forKey: .pipeline) ?? PipelineCounters()
        invalidReasons = try c.decodeIfPresent([String].self, forKey: .invalidReasons) ?? []
        notes = try c.decodeIfPresent([String].self, forKey: .notes) ?? []
        stages = try c.decodeIfPresent(E2EStages.self, forKey: .stages)
        alertStages = try c.decodeIfPresent(AlertStages.self, forKey: .alertStages)
    }

    /// Acknowledged events missing downstream, over all workloads.
    public var lost: UInt64 { workloads.reduce(0) { $0 + $1.lost } }

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
