import Foundation
import Reporting
import Scenario

/// Live and final gates in one place, over the metric catalogue that `validate`, reports and `compare` also read;
/// and the run's validity (could rsbench hold its own schedule?) and verdict.
struct GateEvaluator: Sendable {
    var scenario: Scenario

    /// The first gate on a live metric that the report already breaches, with the measured value (canonical units).
    func firstBreachedLiveGate(in report: RunReport) -> (Gate, Double)? {
        for g in scenario.gates where MetricCatalog.isLive(g.metric) {
            if let v = MetricCatalog.value(g.metric, in: report), !g.holds(v) { return (g, v) }
        }
        return nil
    }

    /// Validity first, then every gate, then the verdict.
    func finish(_ report: inout RunReport) {
        report.invalidReasons += invalidReasons(report)
        report.gates = scenario.gates.map { evaluate($0, in: report) }
        report.verdict.status = !report.invalidReasons.isEmpty ? .invalid : report.gates.allSatisfy { $0.verdict == .pass } ? .pass : .failed
    }

    /// Why the run cannot be trusted: rsbench missed its own schedule, or used more CPU than the scenario allows.
    func invalidReasons(_ report: RunReport) -> [String] {
        var reasons: [String] = []
        let limit = scenario.limits.scheduleLagP99.seconds * 1000
        if let lag = report.latency.scheduleLag, lag.p99 > limit {
            reasons.append(String(format: "schedule lag p99 %.1f ms is over the limit of %.1f ms: rsbench could not hold the schedule", lag.p99, limit))
        }
        if let cost = report.cost, let share = cost.rsbenchShare, share > scenario.limits.rsbenchCPU {
            reasons.append(String(format: "rsbench took %.0f%% of the machine (%d cores) over the measured window, over limits.rsbench_cpu of %.0f%%: "
                                  + "it measured itself more than the pipeline; lower --rate-scale or run rsbench on another machine",
                                  share * 100, cost.cores, scenario.limits.rsbenchCPU * 100))
        }
        return reasons
    }

    func evaluate(_ g: Gate, in report: RunReport) -> GateResult {
        let v = MetricCatalog.value(g.metric, in: report)
        let scale = g.kind.reportScale
        return GateResult(expression: g.expression, metric: g.metric, measured: v.map { $0 * scale }, unit: g.kind.reportUnit,
                          comparison: g.comparison.rawValue, threshold: g.threshold * scale,
                          verdict: v == nil ? .missing : g.holds(v!) ? .pass : .fail, note: v == nil ? "not measured in this run" : nil)
    }

    /// The verdict's reasons, and a loss the cross-checks did not already name; run after `finish` or after an error.
    static func closeVerdict(_ report: inout RunReport) {
        var reasons = report.invalidReasons
        reasons += report.gates.filter { $0.verdict != .pass }.map { "gate \($0.expression) " + ($0.measured == nil ? "not measured" : "failed") }
        reasons += report.notes.filter { $0.hasPrefix("error") || $0.hasPrefix("aborted") }
        report.verdict.reasons = reasons
        let lost = report.lost
        if lost > 0 && !report.crossChecks.contains(where: { $0.status == .loss }) {
            report.crossChecks.append(CrossCheck(name: "acked → stored", expected: Double(report.events.acked), actual: Double(report.events.acked - min(report.events.acked, lost)),
                                                 status: .loss, text: "\(lost) acknowledged events are missing downstream"))
        }
    }
}
