import Foundation
import LoadDriver

/// The one-screen summary printed at the end of `rsbench run`.
public enum OutcomeSummary {
    static func byRule(_ rules: [String]) -> String {
        Dictionary(grouping: rules, by: { $0 }).map { "\($0.key) \($0.value.count)" }.sorted().joined(separator: ", ")
    }

    static func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
        s.count >= n ? s : right ? String(repeating: " ", count: n - s.count) + s : s + String(repeating: " ", count: n - s.count)
    }

    public static func render(_ o: RunOutcome) -> String {
        func ms(_ s: Double) -> String { String(format: "%.1f", s * 1000) }
        func lat(_ l: LatencySummary?) -> String {
            guard let l, l.count > 0 else { return "n/a" }
            return "p50 \(ms(l.p50)) · p90 \(ms(l.p90)) · p99 \(ms(l.p99)) · p99.9 \(ms(l.p999)) · max \(ms(l.max)) ms (n=\(l.count))"
        }
        var lines = ["", "═══ \(o.scenario): \(o.status.rawValue.uppercased()) ═══ (\(o.file), started \(o.startedAt), measured \(Int(o.measuredSeconds)) s)"]
        lines.append("workload        offered/s  achieved/s  published     acked  failed   stored    lost  sched p99  ack p99")
        for w in o.workloads {
            let achieved = Double(w.measuredPublished) / o.measuredSeconds
            lines.append(pad(w.name, 14) + String(format: " %10.0f  %10.0f  %9llu  %8llu  %6llu  ", w.offeredRate, achieved, w.published, w.acked, w.failed)
                         + pad(w.stored.map { String($0) } ?? "-", 7, right: true)
                         + String(format: "  %6llu  %7.1fms %6.1fms", w.lost, w.scheduleLag.p99 * 1000, w.publishLatency.p99 * 1000))
        }
        lines.append("table             rows in window   rows/s   e2e p50     p99    max (ms)")
        for t in o.tables {
            lines.append(pad(t.table, 17) + String(format: " %14llu %8.0f %9.1f %7.1f %7.1f", t.rows, t.rowsPerSecond, t.e2eLag.p50 * 1000, t.e2eLag.p99 * 1000, t.e2eLag.max * 1000))
        }
        lines.append("end-to-end lag (ingested_at − intended send): \(lat(o.e2eLag))")
        lines.append("schedule lag (actual − intended send):         \(lat(o.scheduleLag))")
        lines.append("alert latency (webhook received − intended):   \(lat(o.alertLatency))\(o.alertsReceived > 0 ? " · \(o.alertsReceived) alerts: \(byRule(o.alertRules))" : "")")
        lines.append("publish ack − intended (corrected):            \(lat(o.publishLatency))")
        lines.append("publish ack − actual send (uncorrected):       \(lat(o.publishLatencyUncorrected))")
        lines.append(String(format: "dead-lettered %.0f · book sequence gaps %.0f · max consumer pending %.0f · drained %@ · lost %llu", o.deadLettered, o.sequenceGaps, o.maxConsumerPending, o.drained ? "yes" : "NO", o.lost))
        if !o.crossChecks.isEmpty {
            let bad = o.crossChecks.filter { $0.verdict != .ok }
            lines.append(bad.isEmpty ? "cross-checks: \(o.crossChecks.count) ok (acked = stream = rows + DLQ)"
                                     : "cross-checks: " + bad.map { "\($0.verdict.rawValue.uppercased()) \($0.name): \($0.detail)" }.joined(separator: "; "))
        }
        if let u = o.e2eLagUncorrected {
            lines.append(String(format: "end-to-end lag from actual send (uncorrected): p50 %.1f · p99 %.1f · max %.1f ms (n=%llu)", u.p50 * 1000, u.p99 * 1000, u.max * 1000, u.count))
        }
        let disk = o.tables.reduce(0) { $0 + $1.bytesOnDisk }
        if disk > 0 {
            lines.append("storage: " + o.tables.map { String(format: "%@ %.1f MB ×%.1f %d parts", $0.table, Double($0.bytesOnDisk) / 1_048_576, $0.compressionRatio, $0.activeParts) }.joined(separator: " · ")
                         + " · JetStream " + String(format: "%.1f MB", Double(o.streams.reduce(0) { $0 + $1.bytes }) / 1_048_576))
        }
        if !o.resources.isEmpty {
            lines.append("resources: " + o.resources.map { "\($0.process) " + String(format: "cpu %.0f%% rss %.0f MB", $0.meanCPU * 100, $0.maxRSSMB) }.joined(separator: " · "))
        }
        for g in o.gates {
            let v = g.measured.map { String(format: "%.4g", $0) } ?? "—"
            lines.append("gate \(g.passed ? "PASS" : "FAIL")  \(g.expression)  (measured \(v)\(g.note.isEmpty ? "" : "; \(g.note)"))")
        }
        for r in o.invalidReasons { lines.append("INVALID: \(r)") }
        for n in o.notes { lines.append(n) }
        return lines.joined(separator: "\n")
    }
}
