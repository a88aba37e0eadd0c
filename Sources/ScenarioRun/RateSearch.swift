import Foundation
import LocalStack
import Reporting
import Scenario

/// Finds the highest rate a scenario sustains: step the rate up until a probe fails, then bisect between
/// the last good and the first bad rate. Each probe is a full, short run of the scenario.
public struct RateSearch: Sendable {
    public var scenario: Scenario
    public var probeDuration: Duration
    public var startScale: Double
    public var factor: Double
    public var maxSteps: Int
    public var bisectSteps: Int
    /// "Well below" ClickHouse's default too-many-parts limit (300 active parts in a partition).
    public var maxParts = 150
    /// Backlog is "bounded" when, at its worst, it stays under this many seconds of offered traffic.
    public var maxBacklogSeconds = 5.0
    public var projectRoot: String
    public var output: @Sendable (String) -> Void

    public init(scenario: Scenario, probeDuration: Duration, startScale: Double, factor: Double, maxSteps: Int, bisectSteps: Int,
                projectRoot: String, output: @escaping @Sendable (String) -> Void) {
        self.scenario = scenario
        self.probeDuration = probeDuration
        self.startScale = startScale
        self.factor = factor
        self.maxSteps = maxSteps
        self.bisectSteps = bisectSteps
        self.projectRoot = projectRoot
        self.output = output
    }

    var baseRate: Double { scenario.workloads.reduce(0) { $0 + $1.rate.meanRate } }

    public func run() async throws -> SearchResult {
        // One stack for every probe (each probe recreates its database and streams).
        let target = try RunTarget.resolve(natsURL: scenario.target.natsURL, clickHouseURL: scenario.target.clickHouseURL,
                                           natsNodes: scenario.target.natsNodes,
                                           environment: ProcessInfo.processInfo.environment, projectRoot: projectRoot, log: { output("[stack] \($0)") })
        defer { target.stopStartedStack(log: { output("[search] \($0)") }) }

        var probes: [SearchProbe] = []
        var good: SearchProbe?, bad: SearchProbe?
        var scale = startScale
        for _ in 0..<maxSteps {
            try Task.checkCancellation()
            let p = try await probe(scale)
            probes.append(p)
            if p.sustainable { good = p; scale *= factor } else { bad = p; break }
        }
        if let g = good, let b = bad {
            var lo = g.rateScale, hi = b.rateScale
            for _ in 0..<bisectSteps {
                try Task.checkCancellation()
                let mid = (lo + hi) / 2
                let p = try await probe(mid)
                probes.append(p)
                if p.sustainable { good = p; lo = mid } else { bad = p; hi = mid }
            }
        }
        return SearchResult(scenario: scenario.name, probes: probes.sorted { $0.rateScale < $1.rateScale }, knee: good, firstFailure: bad)
    }

    func probe(_ scale: Double) async throws -> SearchProbe {
        var o = RunOverrides()
        o.rateScale = scale
        o.duration = probeDuration
        output(String(format: "[search] probe at %.0f events/s (rate scale %.3f) for %@", baseRate * scale, scale, "\(probeDuration)"))
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
