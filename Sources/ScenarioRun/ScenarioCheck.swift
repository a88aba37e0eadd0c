import Alerting
import Foundation
import Pipeline
import Replay
import Reporting
import RiskSignalCore
import Scenario

/// The checks a scenario must pass before anything starts, made by `rsbench run` and `rsbench validate` alike (one
/// function, so validate accepts exactly what run accepts): generator parameters and rates through the same
/// `WorkloadFactory` code run uses, replay captures that can be read, and each gate's qualifier against what the
/// run will measure — workloads for `achieved_rate.<w>`, tables the workloads write for `insert_rows_per_s.<t>`,
/// the processes sampled for `cpu.<p>`. Each problem names file:line, the key and what was expected, with a
/// did-you-mean.
public enum ScenarioCheck {
    /// Processes a run samples for `cpu.<process>` and `rss_mb.<process>`.
    public static let processes = ["rsbench", "risksignal", "nats-server", "clickhouse"]
    /// Metric families qualified by a table, by a workload, by a process.
    static let tableFamilies = ["insert_rows_per_s", "insert_bytes_per_s", "compression_ratio", "disk_mb"]
    static let workloadFamilies = ["achieved_rate", "offered_rate"]
    static let processFamilies = ["cpu", "rss_mb", "cpu_us_per_event"]

    /// Every problem found, each as `file:line: key: message`; empty when run would accept the scenario.
    public static func problems(_ s: Scenario) -> [String] {
        var out: [String] = []
        let end = s.warmup + s.duration
        if let policy = s.pipeline.policy {
            let path = WorkloadFactory.resolve(policy, scenarioFile: s.file)
            do { _ = try YAMLPolicyFile(path: path).load() } catch {
                out.append("\(s.file): pipeline.policy: \(policy): \(error)")
            }
        }
        for w in s.workloads {
            switch w.source {
            case .generator(let kind, let params):
                do { _ = try WorkloadFactory.makeGenerator(kind, params: params, seed: s.seed) } catch {
                    out.append("\(s.file):\(w.line): workloads.\(w.name).params.\(error)")
                }
                do { _ = try w.rate.make(seed: s.seed, scale: s.rateScale, end: end.totalNanoseconds) } catch {
                    out.append("\(s.file):\(w.line): workloads.\(w.name).rate: \(error)")
                }
            case .replay(let spec):
                if spec.format != "auto", ReplayFormat(rawValue: spec.format) == nil {
                    let e = ReplayError.badOption(name: "format", reason: "\"\(spec.format)\" is not a format; expected auto or one of \(ReplayFormat.allCases.map(\.rawValue).joined(separator: ", "))")
                    out.append("\(s.file):\(w.line): workloads.\(w.name).replay: \(e)")
                }
                let path = WorkloadFactory.resolve(spec.path, scenarioFile: s.file)
                if !FileManager.default.isReadableFile(atPath: path) {
                    out.append("\(s.file):\(w.line): workloads.\(w.name).replay: \(ReplayError.unreadable(file: path, reason: "no such file, or not readable"))")
                }
            }
        }
        for g in s.gates { if let p = gateProblem(g, s) { out.append("\(s.file):\(g.line): gates: \(g.expression): \(p)") } }
        return out
    }

    /// Throws `RunError.invalidScenario` with every problem when there is any.
    public static func require(_ s: Scenario) throws(RunError) {
        let p = problems(s)
        if !p.isEmpty { throw .invalidScenario(p.joined(separator: "\n")) }
    }

    /// Tables the scenario's workloads write; a replay may write any feed's table (its feeds show only once loaded).
    static func tables(_ s: Scenario) -> [String] {
        var out: [String] = []
        for w in s.workloads {
            let kinds: [FeedKind]
            switch w.source {
            case .generator(let k, _): kinds = [k]
            case .replay: kinds = FeedKind.allCases
            }
            for k in kinds where !out.contains(k.tableName) { out.append(k.tableName) }
        }
        return out
    }

    static func gateProblem(_ g: Gate, _ s: Scenario) -> String? {
        let parts = g.metric.split(separator: ".", maxSplits: 1).map(String.init)
        guard let head = parts.first else { return "expected a metric name" }
        let tail = parts.count > 1 ? parts[1] : nil
        func unknown(_ what: String, _ name: String, _ known: [String]) -> String {
            let close = known.min { editDistance($0, name) < editDistance($1, name) }
            let hint = close.flatMap { editDistance($0, name) <= 3 ? " (did you mean \($0)?)" : nil } ?? ""
            return "unknown \(what) \"\(name)\" in \(g.metric)\(hint); expected one of \(known.joined(separator: ", "))"
        }
        if workloadFamilies.contains(head) {
            guard let tail else { return "\(head) needs a workload, like \(head).\(s.workloads.first?.name ?? "<workload>")" }
            let names = s.workloads.map(\.name)
            return names.contains(tail) ? nil : unknown("workload", tail, names)
        }
        if tableFamilies.contains(head), let tail {
            let known = tables(s)
            return known.contains(tail) ? nil : unknown("table", tail, known)
        }
        if processFamilies.contains(head) {
            // The stack's total is a cost of its own; CPU share and RSS are per process only.
            let known = head == "cpu_us_per_event" ? processes + [CPUCost.stackName] : processes
            guard let tail else { return "\(head) needs a process, like \(head).rsbench (one of \(known.joined(separator: ", ")))" }
            return known.contains(tail) ? nil : unknown("process", tail, known)
        }
        if head == "consumer_pending" { return tail == "max" ? nil : "expected consumer_pending.max" }
        if MetricCatalog.latencyFamilies.contains(head) { return nil }  // the statistic is checked by the parser
        if head == "e2e_stage" {
            // Stage and statistic are checked by the parser; an optional third part names a table.
            guard let table = tail?.split(separator: ".").dropFirst(2).first.map(String.init) else { return nil }
            let known = tables(s)
            return known.contains(table) ? nil : unknown("table", table, known)
        }
        if head == "alert_stage" {
            // Stage and statistic are checked by the parser; an optional third part names a rule.
            guard let rule = tail?.split(separator: ".").dropFirst(2).first.map(String.init) else { return nil }
            let known = AlertRule.allCases.map(\.rawValue) + RollupAlertEvaluator.rules
            return known.contains(rule) ? nil : unknown("rule", rule, known)
        }
        if let tail, !tableFamilies.contains(head) { return "\(head) takes no qualifier, got \".\(tail)\"" }
        return nil
    }
}
