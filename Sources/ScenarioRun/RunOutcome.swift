import LoadDriver
import Scenario

/// Everything a run measured, for the summary, the gates and (later) the reports.
public struct RunOutcome: Sendable, Codable {
    public enum Status: String, Sendable, Codable {
        case passed, failedGates = "failed_gates", invalid, aborted, error
        /// The process exit code (DESIGN §4): 0 pass, 1 gate failed, 2 invalid run, 3 error or abort.
        public var exitCode: Int32 {
            switch self {
            case .passed: 0
            case .failedGates: 1
            case .invalid: 2
            case .aborted, .error: 3
            }
        }
    }

    public struct WorkloadResult: Sendable, Codable {
        public var name: String
        public var generator: String
        public var table: String?
        public var offeredRate: Double
        public var published: UInt64
        public var measuredPublished: UInt64
        public var acked: UInt64
        public var failed: UInt64
        public var duplicates: UInt64
        public var scheduleLag: LatencySummary
        public var publishLatency: LatencySummary
        public var publishLatencyUncorrected: LatencySummary
        public var publishedPerSecond: [Int]
        /// Rows the pipeline stored for this workload (deduplicated), when it maps 1:1 to a table.
        public var stored: UInt64?
        public var lost: UInt64
    }

    public struct TableResult: Sendable, Codable {
        public var table: String
        public var rows: UInt64
        public var rowsPerSecond: Double
        public var e2eLag: LatencySummary
        /// From the actual send instant (`sent_at`); nil for tables whose rows aggregate several sends (book_topn).
        public var e2eLagUncorrected: LatencySummary?
        /// From `system.parts` after the drain (all rows of the table, warm-up included).
        public var bytesOnDisk: UInt64 = 0
        public var bytesUncompressed: UInt64 = 0
        public var activeParts: Int = 0
        /// Uncompressed bytes of the measured window's rows per second (ClickHouse's own accounting, pro rata).
        public var bytesPerSecond: Double = 0
        public var compressionRatio: Double { bytesOnDisk > 0 ? Double(bytesUncompressed) / Double(bytesOnDisk) : 0 }
    }

    /// A JetStream stream after the drain.
    public struct StreamResult: Sendable, Codable {
        public var stream: String
        public var messages: UInt64
        public var bytes: UInt64
        /// The stream's retention (max age), for capacity plans.
        public var maxAgeSeconds: Double?
    }

    /// One reconciliation after the drain: what one stage says against what the next stage holds.
    public struct CrossCheck: Sendable, Codable {
        public enum Verdict: String, Sendable, Codable { case ok, loss, excess }
        public var name: String
        public var expected: UInt64
        public var actual: UInt64
        public var verdict: Verdict
        public var detail: String
    }

    /// Per-second series of the run (index 0 = the first second after the start instant, warm-up included).
    public struct Series: Sendable, Codable {
        public var offered: [Double] = []
        public var achieved: [Double] = []
        public var rowsPerSecond: [Double] = []
        public var pendingByConsumer: [String: [Double]] = [:]
        /// e2e lag by the second of the intended send time, in seconds (measured window only, NaN-free: 0 when empty).
        public var e2eP50: [Double] = []
        public var e2eP99: [Double] = []
    }

    /// (percentile, seconds) points of the e2e lag distribution, for percentile-spectrum charts.
    public struct Spectrum: Sendable, Codable {
        public var corrected: [[Double]] = []
        public var uncorrected: [[Double]] = []
    }

    public struct GateResult: Sendable, Codable {
        public var expression: String
        public var measured: Double?
        public var passed: Bool
        public var note: String
    }

    public var scenario: String
    public var file: String
    public var status: Status
    public var startedAt: String
    public var measuredSeconds: Double
    public var workloads: [WorkloadResult] = []
    public var tables: [TableResult] = []
    public var e2eLag: LatencySummary?
    public var e2eLagUncorrected: LatencySummary?
    public var e2eSpectrum = Spectrum()
    public var streams: [StreamResult] = []
    public var crossChecks: [CrossCheck] = []
    public var series = Series()
    public var warmupSeconds: Double = 0
    public var scheduleLag: LatencySummary?
    public var publishLatency: LatencySummary?
    public var publishLatencyUncorrected: LatencySummary?
    public var alertLatency: LatencySummary?
    public var alertsReceived = 0
    public var alertRules: [String] = []
    public var deadLettered: Double = 0
    /// Book sequence gaps the market normaliser saw (a replayed feed with a hole in it, or lost messages).
    public var sequenceGaps: Double = 0
    public var maxConsumerPending: Double = 0
    public var drained: Bool = false
    public var resources: [ResourceSeries] = []
    public var gates: [GateResult] = []
    public var invalidReasons: [String] = []
    public var notes: [String] = []

    public var lost: UInt64 { workloads.reduce(0) { $0 + $1.lost } }

    /// The value a gate's metric names, or nil when this run did not measure it.
    public func metric(_ name: String) -> Double? {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        let head = parts[0], tail = parts.count > 1 ? parts[1] : nil
        switch head {
        case "schedule_lag": return tail.flatMap { scheduleLag?.value($0) }
        case "publish_latency": return tail.flatMap { publishLatency?.value($0) }
        case "publish_latency_uncorrected": return tail.flatMap { publishLatencyUncorrected?.value($0) }
        case "e2e_lag": return tail.flatMap { e2eLag?.value($0) }
        case "e2e_lag_uncorrected": return tail.flatMap { e2eLagUncorrected?.value($0) }
        case "insert_bytes_per_s":
            if let t = tail { return tables.first { $0.table == t }?.bytesPerSecond }
            return tables.reduce(0) { $0 + $1.bytesPerSecond }
        case "parts":
            if let t = tail { return tables.first { $0.table == t }.map { Double($0.activeParts) } }
            return Double(tables.map(\.activeParts).max() ?? 0)
        case "compression_ratio":
            if let t = tail { return tables.first { $0.table == t }?.compressionRatio }
            let disk = tables.reduce(0) { $0 + $1.bytesOnDisk }, raw = tables.reduce(0) { $0 + $1.bytesUncompressed }
            return disk > 0 ? Double(raw) / Double(disk) : nil
        case "disk_mb":
            if let t = tail { return tables.first { $0.table == t }.map { Double($0.bytesOnDisk) / 1_048_576 } }
            return Double(tables.reduce(0) { $0 + $1.bytesOnDisk }) / 1_048_576
        case "cross_check_failures": return Double(crossChecks.filter { $0.verdict != .ok }.count)
        case "alert_latency":
            guard let a = alertLatency, a.count > 0 else { return nil }
            return tail.flatMap { a.value($0) }
        case "alerts": return Double(alertsReceived)
        case "insert_rows_per_s":
            if let t = tail { return tables.first { $0.table == t }?.rowsPerSecond }
            return tables.reduce(0) { $0 + $1.rowsPerSecond }
        case "achieved_rate": return tail.flatMap { t in workloads.first { $0.name == t }.map { Double($0.measuredPublished) / measuredSeconds } }
        case "offered_rate": return tail.flatMap { t in workloads.first { $0.name == t }?.offeredRate }
        case "achieved_ratio":
            let offered = workloads.reduce(0) { $0 + $1.offeredRate * measuredSeconds }
            return offered > 0 ? Double(workloads.reduce(0) { $0 + $1.measuredPublished }) / offered : nil
        case "lost": return Double(lost)
        case "dlq": return deadLettered
        case "sequence_gaps": return sequenceGaps
        case "published": return Double(workloads.reduce(0) { $0 + $1.published })
        case "failed_publishes": return Double(workloads.reduce(0) { $0 + $1.failed })
        case "duplicates": return Double(workloads.reduce(0) { $0 + $1.duplicates })
        case "rows": return Double(tables.reduce(0) { $0 + $1.rows })
        case "consumer_pending": return maxConsumerPending
        case "cpu": return tail.flatMap { p in resources.first { $0.process == p }?.meanCPU }
        case "rss_mb": return tail.flatMap { p in resources.first { $0.process == p }?.maxRSSMB }
        default: return nil
        }
    }
}
