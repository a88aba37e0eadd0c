import Foundation

/// The one-screen summary `rsbench run` prints at the end, from the run's report.
public enum ConsoleSummary {
    static func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
        s.count >= n ? s : right ? String(repeating: " ", count: n - s.count) + s : s + String(repeating: " ", count: n - s.count)
    }

    /// The status word the summary has always printed.
    static func word(_ s: Verdict.Status) -> String {
        switch s {
        case .pass: "PASSED"
        case .failed: "FAILED_GATES"
        case .invalid: "INVALID"
        case .error: "ERROR"
        case .aborted: "ABORTED"
        }
    }

    public static func render(_ o: RunReport) -> String {
        func lat(_ l: LatencySummary?) -> String {
            guard let l, l.count > 0 else { return "n/a" }
            let f = { (v: Double) in String(format: "%.1f", v) }
            return "p50 \(f(l.p50)) · p90 \(f(l.p90)) · p99 \(f(l.p99)) · p99.9 \(f(l.p999)) · max \(f(l.max)) ms (n=\(l.count))"
        }
        let started = ISO8601DateFormatter.string(from: o.startedAt, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime, .withFractionalSeconds])
        var lines = ["", "═══ \(o.scenario.name): \(word(o.verdict.status)) ═══ (\(o.scenario.file), started \(started), measured \(Int(o.durationSeconds)) s)"]
        lines.append("workload        offered/s  achieved/s  published     acked  failed   stored    lost  sched p99  ack p99")
        for w in o.workloads {
            let achieved = Double(w.measuredPublished) / o.durationSeconds
            lines.append(pad(w.name, 14) + String(format: " %10.0f  %10.0f  %9llu  %8llu  %6llu  ", w.offeredPerSecond, achieved, w.published, w.acked, w.failed)
                         + pad(w.stored.map { String($0) } ?? "-", 7, right: true)
                         + String(format: "  %6llu  %7.1fms %6.1fms", w.lost, w.scheduleLag.p99, w.publishAck.p99))
        }
        lines.append("table             rows in window   rows/s   e2e p50     p99    max (ms)")
        for t in o.tables {
            let e = t.e2eLag ?? .empty
            lines.append(pad(t.table, 17) + String(format: " %14llu %8.0f %9.1f %7.1f %7.1f", t.rows, t.rowsPerSecond, e.p50, e.p99, e.max))
        }
        lines.append("end-to-end lag (ingested_at − intended send): \(lat(o.latency.e2eCorrected))")
        lines.append("schedule lag (actual − intended send):         \(lat(o.latency.scheduleLag))")
        lines.append("alert latency (webhook received − intended):   \(lat(o.latency.alert))\(o.pipeline.alertsReceived > 0 ? " · \(o.pipeline.alertsReceived) alerts: \(o.pipeline.alertsByRule)" : "")")
        if let line = o.alertStages.flatMap({ AlertStageSection($0).consoleLine }) { lines.append(line) }
        lines.append("publish ack − intended (corrected):            \(lat(o.latency.publishAck))")
        lines.append("publish ack − actual send (uncorrected):       \(lat(o.latency.publishAckUncorrected))")
        lines.append(String(format: "dead-lettered %.0f · book sequence gaps %.0f · max consumer pending %.0f · drained %@ · lost %llu", o.pipeline.deadLettered, o.pipeline.sequenceGaps, o.pipeline.maxConsumerPending, o.pipeline.drained ? "yes" : "NO", o.lost))
        if !o.crossChecks.isEmpty {
            let bad = o.crossChecks.filter { $0.status != .ok }
            lines.append(bad.isEmpty ? "cross-checks: \(o.crossChecks.count) ok (acked = stream = rows + DLQ)"
                                     : "cross-checks: " + bad.map { "\($0.status.rawValue.uppercased()) \($0.name): \($0.text)" }.joined(separator: "; "))
        }
        if let u = o.latency.e2eUncorrected {
            lines.append(String(format: "end-to-end lag from actual send (uncorrected): p50 %.1f · p99 %.1f · max %.1f ms (n=%llu)", u.p50, u.p99, u.max, u.count))
        }
        let disk = o.tables.reduce(0) { $0 + $1.bytesOnDisk }
        if disk > 0 {
            lines.append("storage: " + o.tables.map { String(format: "%@ %.1f MB ×%.1f %d parts", $0.table, Double($0.bytesOnDisk) / 1_048_576, $0.compressionRatio, $0.activeParts) }.joined(separator: " · ")
                         + " · JetStream " + String(format: "%.1f MB", Double(o.streams.reduce(0) { $0 + $1.bytes }) / 1_048_576))
        }
        if let cost = CostTable(o) {
            lines.append("process        CPU %  CPU-µs/event  share of stack  RSS max MB  CPU-µs/event whole run")
            for r in cost.rows {
                lines.append(pad(r.process, 13) + " " + pad(r.cpuPercent, 6, right: true) + "  " + pad(r.cpuUsPerEvent, 12, right: true) + "  "
                             + pad(r.shareOfStack, 14, right: true) + "  " + pad(r.rssMaxMB, 10, right: true) + "  " + pad(r.cpuUsPerEventWholeRun, 22, right: true))
            }
            lines.append(cost.definition)
            if let w = cost.warning { lines.append("WARNING: \(w)") }
        } else if !o.resources.isEmpty {
            lines.append("resources: " + o.resources.map { "\($0.name) " + String(format: "cpu %.0f%% rss %.0f MB", $0.cpuPercentMean, $0.rssMaxMB) }.joined(separator: " · "))
        }
        for g in o.gates {
            // Gates print in the scenario's own units (seconds, fractions), as written.
            let scale = MetricCatalog.kind(of: g.metric)?.reportScale ?? 1
            let v = g.measured.map { String(format: "%.4g", $0 / scale) } ?? "—"
            lines.append("gate \(g.verdict == .pass ? "PASS" : "FAIL")  \(g.expression)  (measured \(v)\(g.note.map { "; \($0)" } ?? ""))")
        }
        for r in o.invalidReasons { lines.append("INVALID: \(r)") }
        for n in o.notes { lines.append(n) }
        return lines.joined(separator: "\n")
    }
}
