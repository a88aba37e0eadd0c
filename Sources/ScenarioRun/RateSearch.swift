import Foundation
import LocalStack
import Reporting
import Scenario

/// Finds the highest rate a scenario sustains by running the probes `KneeSearch` asks for, each a full, short run of
/// the scenario, until the knee is decided by repeated probes at both of its bounds (or `maxProbes` is reached).
public struct RateSearch: Sendable {
    public var scenario: Scenario
    public var config: KneeSearch.Config
    /// "Well below" ClickHouse's default too-many-parts limit (300 active parts in a partition).
    public var maxParts = 150
    /// Backlog is "bounded" when, at its worst, it stays under this many seconds of offered traffic.
    public var maxBacklogSeconds = 5.0
    /// Each probe serves its live figures at `http://127.0.0.1:<port>/metrics` while it runs (nil: no endpoint).
    public var metricsPort: Int?
    public var projectRoot: String
    public var output: @Sendable (String) -> Void

    public init(scenario: Scenario, config: KneeSearch.Config, projectRoot: String, output: @escaping @Sendable (String) -> Void) {
        self.scenario = scenario
        self.config = config
        self.projectRoot = projectRoot
        self.output = output
    }

    var baseRate: Double { scenario.workloads.reduce(0) { $0 + $1.rate.meanRate } }

    public func run() async throws -> SearchResult {
        var search = try KneeSearch(config: config)
        // One stack for every probe (each probe recreates its database and streams).
        let target = try RunTarget.resolve(natsURL: scenario.target.natsURL, clickHouseURL: scenario.target.clickHouseURL,
                                           natsNodes: scenario.target.natsNodes,
                                           environment: ProcessInfo.processInfo.environment, projectRoot: projectRoot, log: { output("[stack] \($0)") })
        defer { target.stopStartedStack(log: { output("[search] \($0)") }) }
        output("[search] rule: \(RateTally.rule); \(config.repeats) probes at the last sustainable and the first failing rate, at most \(config.maxProbes) probes")
        while let step = search.next {
            try Task.checkCancellation()
            output(String(format: "[search] probe %d (%@)", search.probes.count + 1, step.stage.rawValue))
            search.record(try await probe(step.rateScale), for: step)
        }
        return search.result(scenario: scenario.name)
    }

    func probe(_ scale: Double) async throws -> SearchProbe {
        var o = RunOverrides()
        o.rateScale = scale
        o.duration = config.probeDuration
        o.metricsPort = metricsPort
        output(String(format: "[search] probe at %.0f events/s (rate scale %.3f) for %@", baseRate * scale, scale, "\(config.probeDuration)"))
        let runner = ScenarioRunner(scenario: scenario, overrides: o, projectRoot: projectRoot, output: { line in
            // Probe progress is noise at this level; keep the run's verdict lines only.
            if line.hasPrefix("[run] drain") || line.hasPrefix("[run] drained") { output("  " + line) }
        })
        let r = await runner.run()
        let offered = r.events.offeredPerSecond, achieved = r.events.achievedPerSecond
        let parts = r.tables.map(\.activeParts).max() ?? 0
        let status = r.verdict.status
        var why: [String] = []
        if status == .invalid { why += r.invalidReasons }
        if status == .error || status == .aborted { why.append("run \(status.rawValue): \(r.notes.joined(separator: "; "))") }
        for g in r.gates where g.verdict != .pass {
            why.append("gate \(g.expression) failed" + (g.measured.map { " (measured \($0)\(g.unit.isEmpty ? "" : " " + g.unit))" } ?? ""))
        }
        if !r.pipeline.drained { why.append("backlog did not drain") }
        if r.pipeline.maxConsumerPending > offered * maxBacklogSeconds {
            why.append(String(format: "backlog peaked at %.0f messages (> %.0f s of traffic)", r.pipeline.maxConsumerPending, maxBacklogSeconds))
        }
        if parts > maxParts { why.append("\(parts) active parts in one table (limit \(maxParts))") }
        if r.lost > 0 { why.append("\(r.lost) events lost") }
        let p = SearchProbe(rateScale: scale, offeredRate: offered, achievedRate: achieved, e2eP50Ms: r.latency.e2eCorrected?.p50,
                            e2eP99Ms: r.latency.e2eCorrected?.p99, maxPending: r.pipeline.maxConsumerPending, maxParts: parts,
                            drained: r.pipeline.drained, status: status.rawValue, sustainable: why.isEmpty, why: why)
        output(String(format: "[search]   → %@: achieved %.0f/s, e2e p99 %@, backlog max %.0f, parts %d%@", p.sustainable ? "sustainable" : "NOT sustainable",
                      achieved, p.e2eP99Ms.map { String(format: "%.0f ms", $0) } ?? "n/a", p.maxPending, parts,
                      why.isEmpty ? "" : " (" + why.joined(separator: "; ") + ")"))
        return p
    }
}
