import LoadDriver
import RiskSignalCore
import Scenario

/// What a scenario will run: each workload's plan (replays loaded and checked first), and the consumers to start.
struct ScenarioPlan: Sendable {
    var workloads: [(workload: Workload, plan: WorkloadPlan)]
    var consumers: [String]
    /// Whether the alert consumers run: the scenario injects anomalies or gates on alerts.
    var wantsAlerts: Bool

    static func make(_ scenario: Scenario, ids: EventIDPolicy = .repeatable, say: (String) -> Void) throws -> ScenarioPlan {
        var workloads: [(Workload, WorkloadPlan)] = []
        for w in scenario.workloads {
            let plan = try WorkloadFactory.plan(for: w, scenario: scenario, end: scenario.warmup + scenario.duration, ids: ids)
            if let r = plan.replayReport { say("[replay] \(w.name): \(r.replacingOccurrences(of: "\n", with: "\n[replay]   "))") }
            workloads.append((w, plan))
        }
        let kinds = Set(workloads.flatMap(\.1.feeds))
        var consumers = scenario.pipeline.consumers ?? Set(kinds.map(\.consumerName)).sorted()
        let wantsAlerts = !scenario.injections.isEmpty || scenario.gates.contains { $0.metric.hasPrefix("alert") }
        if scenario.pipeline.consumers == nil && wantsAlerts { consumers += ["alerts", "webhooks"] }
        return ScenarioPlan(workloads: workloads, consumers: consumers, wantsAlerts: wantsAlerts)
    }

    /// Feed kinds that replay workloads publish into (their streams are not reconciled one to one).
    var replayedKinds: [FeedKind] { workloads.filter { $0.plan.replayReport != nil }.flatMap(\.plan.feeds) }
}
