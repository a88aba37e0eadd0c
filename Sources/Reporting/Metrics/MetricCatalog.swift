/// The metric names of DESIGN §4, read by `validate`, gates, reports and `compare` alike.
///
/// Values are canonical: seconds for durations, fractions for ratios and CPU, MB for `rss_mb`/`disk_mb`, µs for
/// `cpu_us_per_event`. Per-table, per-workload and per-process forms take a suffix (`insert_rows_per_s.trades`,
/// `cpu.rsbench`, `cpu_us_per_event.stack`).
public enum MetricCatalog {
    public static let latencyFamilies = ["schedule_lag", "publish_latency", "publish_latency_uncorrected", "e2e_lag", "e2e_lag_uncorrected", "alert_latency"]
    public static let statistics = ["p50", "p90", "p99", "p999", "max", "mean"]
    public static let counts = ["lost", "dlq", "duplicates", "published", "failed_publishes", "sequence_gaps", "alerts", "rows", "parts", "cross_check_failures"]
    /// Metrics a run knows while it is still sending (what `--abort-on-fail` can act on).
    public static let liveFamilies = ["schedule_lag", "publish_latency", "consumer_pending", "cpu", "rss_mb"]

    /// The kind of a metric name, or nil when it is not one.
    public static func kind(of metric: String) -> MetricKind? {
        let (head, tail) = split(metric)
        if latencyFamilies.contains(head) {
            return tail.map(statistics.contains) == true ? .duration : nil
        }
        if head == "e2e_stage" { return stage(tail) != nil ? .duration : nil }
        if head == "alert_stage" { return stage(tail, names: AlertStages.names) != nil ? .duration : nil }
        switch head {
        case "insert_rows_per_s", "achieved_rate", "offered_rate": return .rate
        case "insert_bytes_per_s": return .bytes
        case "achieved_ratio", "cpu", "compression_ratio": return .ratio
        case "cpu_us_per_event": return .cpuPerEvent
        case "rss_mb", "disk_mb": return .count
        case "consumer_pending": return tail == nil ? nil : .count
        default: return counts.contains(head) ? .count : nil
        }
    }

    /// Which way a metric should move to count as an improvement.
    public static func direction(of metric: String) -> MetricDirection {
        switch split(metric).head {
        case "insert_rows_per_s", "insert_bytes_per_s", "achieved_rate", "achieved_ratio", "compression_ratio", "offered_rate": .higherIsBetter
        default: .lowerIsBetter
        }
    }

    /// Whether a run can know this metric before its drain.
    public static func isLive(_ metric: String) -> Bool { liveFamilies.contains(split(metric).head) }

    public static var summary: String {
        latencyFamilies.map { "\($0).{\(statistics.joined(separator: ","))}" }.joined(separator: ", ")
            + ", insert_rows_per_s[.<table>], insert_bytes_per_s[.<table>], achieved_rate.<workload>, achieved_ratio, consumer_pending.max, cpu.<process>, cpu_us_per_event.<process|stack>, rss_mb.<process>, "
            + "compression_ratio[.<table>], disk_mb[.<table>], e2e_stage.{\(E2EStages.names.joined(separator: ","))}.<statistic>[.<table>], "
            + "alert_stage.{\(AlertStages.names.joined(separator: ","))}.<statistic>[.<rule>], "
            + counts.joined(separator: ", ")
    }

    /// The value a metric names in a run, in canonical units, or nil when the run did not measure it.
    public static func value(_ metric: String, in r: RunReport) -> Double? {
        let (head, tail) = split(metric)
        if latencyFamilies.contains(head) { return latency(head, r)?.value(tail ?? "").map { $0 / 1000 } }
        if head == "e2e_stage" {
            guard let s = stage(tail), let l = r.stages?.summary(s.stage, table: s.table), l.count > 0 else { return nil }
            return l.value(s.statistic).map { $0 / 1000 }
        }
        if head == "alert_stage" {
            guard let s = stage(tail, names: AlertStages.names), let l = r.alertStages?.summary(s.stage, rule: s.table), l.count > 0 else { return nil }
            return l.value(s.statistic).map { $0 / 1000 }
        }
        let tables = tail.map { t in r.tables.filter { $0.table == t } } ?? r.tables
        if tail != nil && tables.isEmpty && ["insert_bytes_per_s", "parts", "compression_ratio", "disk_mb", "insert_rows_per_s"].contains(head) { return nil }
        let measured = r.durationSeconds
        switch head {
        case "insert_rows_per_s": return tables.reduce(0) { $0 + $1.rowsPerSecond }
        case "insert_bytes_per_s": return tables.reduce(0) { $0 + $1.bytesPerSecond }
        case "parts": return Double(tables.map(\.activeParts).max() ?? 0)
        case "compression_ratio":
            let disk = tables.reduce(0) { $0 + $1.bytesOnDisk }, raw = tables.reduce(0) { $0 + $1.uncompressedBytes }
            return tail != nil ? tables.first?.compressionRatio : disk > 0 ? Double(raw) / Double(disk) : nil
        case "disk_mb": return Double(tables.reduce(0) { $0 + $1.bytesOnDisk }) / 1_048_576
        case "cross_check_failures": return Double(r.crossChecks.filter { $0.status != .ok }.count)
        case "alerts": return Double(r.pipeline.alertsReceived)
        case "achieved_rate":
            guard let t = tail else { return r.events.achievedPerSecond }
            return r.workloads.first { $0.name == t }.map { Double($0.measuredPublished) / measured }
        case "offered_rate": return tail.flatMap { t in r.workloads.first { $0.name == t }?.offeredPerSecond }
        case "achieved_ratio":
            let offered = r.workloads.reduce(0) { $0 + $1.offeredPerSecond * measured }
            return offered > 0 ? Double(r.workloads.reduce(0) { $0 + $1.measuredPublished }) / offered : nil
        case "lost": return Double(r.lost)
        case "dlq": return r.pipeline.deadLettered
        case "sequence_gaps": return r.pipeline.sequenceGaps
        case "published": return Double(r.workloads.reduce(0) { $0 + $1.published })
        case "failed_publishes": return Double(r.workloads.reduce(0) { $0 + $1.failed })
        case "duplicates": return Double(r.workloads.reduce(0) { $0 + $1.duplicates })
        case "rows": return Double(r.tables.reduce(0) { $0 + $1.rows })
        case "consumer_pending": return r.pipeline.maxConsumerPending
        case "cpu": return tail.flatMap { p in r.resources.first { $0.name == p }?.cpuPercentMean }.map { $0 / 100 }
        case "cpu_us_per_event":
            if tail == CPUCost.stackName { return r.cost?.stack.cpuUsPerEvent }
            return tail.flatMap { p in r.resources.first { $0.name == p }?.cpuUsPerEvent }
        case "rss_mb": return tail.flatMap { p in r.resources.first { $0.name == p }?.rssMaxMB }
        default: return nil
        }
    }

    /// The latency distribution a family names; alert latency only when alerts arrived.
    static func latency(_ family: String, _ r: RunReport) -> LatencySummary? {
        switch family {
        case "schedule_lag": r.latency.scheduleLag
        case "publish_latency": r.latency.publishAck
        case "publish_latency_uncorrected": r.latency.publishAckUncorrected
        case "e2e_lag": r.latency.e2eCorrected
        case "e2e_lag_uncorrected": r.latency.e2eUncorrected
        case "alert_latency": r.latency.alert.flatMap { $0.count > 0 ? $0 : nil }
        default: nil
        }
    }

    /// `<stage>.<statistic>[.<table or rule>]` of an `e2e_stage` (or `alert_stage`) metric, nil when the stage or
    /// statistic is not one.
    static func stage(_ tail: String?, names: [String] = E2EStages.names) -> (stage: String, statistic: String, table: String?)? {
        guard let parts = tail?.split(separator: ".", omittingEmptySubsequences: false).map(String.init), parts.count == 2 || parts.count == 3,
              names.contains(parts[0]), statistics.contains(parts[1]), parts.count == 2 || !parts[2].isEmpty else { return nil }
        return (parts[0], parts[1], parts.count == 3 ? parts[2] : nil)
    }

    static func split(_ metric: String) -> (head: String, tail: String?) {
        let parts = metric.split(separator: ".", maxSplits: 1).map(String.init)
        return (parts.first ?? "", parts.count > 1 ? parts[1] : nil)
    }
}
