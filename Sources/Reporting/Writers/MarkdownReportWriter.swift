import Foundation

/// Writes `report.md`: a compact summary sized for a pull-request comment.
public struct MarkdownReportWriter: ReportWriter {
    public let fileName = "report.md"
    public init() {}

    public func render(_ report: RunReport) throws -> [UInt8] {
        Array(markdown(report).utf8)
    }

    public func markdown(_ r: RunReport) -> String {
        var s: [String] = []
        s.append("### rsbench `\(r.scenario.name)` — \(Self.verdictLine(r.verdict.status))")
        s.append("")
        s.append("`\(r.scenario.file)` · started \(ISO8601DateFormatter().string(from: r.startedAt)) · measured \(Fmt.num(r.durationSeconds)) s (warm-up \(Fmt.num(r.warmupExcludedSeconds)) s excluded) · offered \(Fmt.num(r.events.offeredPerSecond)) ev/s · achieved \(Fmt.num(r.events.achievedPerSecond)) ev/s")
        if !r.verdict.reasons.isEmpty {
            s.append("")
            s += r.verdict.reasons.map { "- \($0)" }
        }
        if let w = r.cost?.warning {
            s.append("")
            s.append("> ⚠️ \(w)")
        }
        s.append("")
        s.append("#### Gates")
        s.append(GateTable(r.gates).markdown())

        s.append("")
        s.append("#### Latency (ms)")
        let named = r.latency.named
        if named.isEmpty {
            s.append("_no latency measured_")
        } else {
            s.append(Markup.mdTable(["metric", "n", "p50", "p90", "p99", "p99.9", "max", "mean"],
                                    named.map { [$0.title, Fmt.count(Double($0.summary.count)), Fmt.ms($0.summary.p50), Fmt.ms($0.summary.p90), Fmt.ms($0.summary.p99), Fmt.ms($0.summary.p999), Fmt.ms($0.summary.max), Fmt.ms($0.summary.mean)] },
                                    right: Set(1...7)))
            if let c = r.latency.e2eCorrected, let u = r.latency.e2eUncorrected, u.p99 > 0 {
                s.append("")
                // The two sets of rows differ (tables that aggregate several sends have no actual send time), so the
                // ratio only means coordinated omission when it is well above 1.
                let ratio = c.p99 / u.p99
                s.append(ratio > 1.2
                    ? "Corrected e2e p99 is \(Fmt.num(ratio))× the uncorrected p99: events waited to be sent, so latency measured from the actual send hides part of it (coordinated omission)."
                    : "Corrected and uncorrected e2e p99 agree (\(Fmt.num(ratio))×): rsbench sent on schedule, so no lag hid in the sender. (Uncorrected covers only rows that record their actual send time.)")
            }
        }

        if let stages = r.stages {
            s.append("")
            s.append("#### Where the end-to-end time goes (ms)")
            s += StageSection(stages, seconds: r.durationSeconds).markdown()
        }

        if let alertStages = r.alertStages {
            s.append("")
            s.append("#### Where the alert time goes (ms)")
            s += AlertStageSection(alertStages).markdown()
        }

        s.append("")
        s.append("#### Throughput per table")
        if r.tables.isEmpty {
            s.append("_no tables_")
        } else {
            s.append(Markup.mdTable(["table", "rows", "rows/s", "on disk", "uncompressed", "ratio", "parts"],
                                    r.tables.map { [$0.table, Fmt.count(Double($0.rows)), Fmt.num($0.rowsPerSecond), Fmt.bytes(Double($0.bytesOnDisk)), Fmt.bytes(Double($0.uncompressedBytes)), Fmt.num($0.compressionRatio) + "×", String($0.activeParts)] },
                                    right: Set(1...6)))
        }
        if !r.streams.isEmpty {
            s.append("")
            s.append("JetStream: " + r.streams.map { "`\($0.stream)` \(Fmt.count(Double($0.messages))) msgs / \(Fmt.bytes(Double($0.bytes)))" }.joined(separator: " · "))
        }

        s.append("")
        s.append("#### Cross-checks")
        if r.crossChecks.isEmpty {
            s.append("_none_")
        } else {
            s.append(Markup.mdTable(["", "check", "expected", "actual", "detail"],
                                    r.crossChecks.map { [Self.icon($0.status), $0.name, Fmt.count($0.expected), Fmt.count($0.actual), $0.text] },
                                    right: [2, 3]))
        }

        s.append("")
        s.append("#### Resources and CPU per event")
        if let cost = CostTable(r) {
            s.append(cost.markdown())
            s.append("")
            s.append(cost.definition)
        } else if r.resources.isEmpty {
            s.append("_not sampled_")
        } else {
            s.append(Markup.mdTable(["process", "pid", "CPU s", "CPU % mean", "CPU % max", "RSS max MB"],
                                    r.resources.map { [$0.name, $0.pid.map(String.init) ?? "—", Fmt.num($0.cpuSeconds), Fmt.num($0.cpuPercentMean), Fmt.num($0.cpuPercentMax), Fmt.num($0.rssMaxMB)] },
                                    right: Set(1...5)))
        }
        s.append("")
        s.append("<sub>\(Markup.html(r.environment.oneLiner))</sub>")
        return s.joined(separator: "\n") + "\n"
    }

    static func verdictLine(_ v: Verdict.Status) -> String {
        switch v {
        case .pass: "✅ PASS"
        case .failed: "❌ FAILED (gate)"
        case .invalid: "⚠️ INVALID (rsbench could not hold the schedule, or took too much of the machine)"
        case .error: "💥 ERROR"
        case .aborted: "⏹ ABORTED (stopped by the user; partial numbers)"
        }
    }

    static func icon(_ s: CrossCheck.Status) -> String {
        switch s {
        case .ok: "✅ ok"
        case .loss: "❌ loss"
        case .excess: "⚠️ excess"
        }
    }
}
