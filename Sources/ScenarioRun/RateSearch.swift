import Foundation
import LocalStack
import Reporting
import Scenario

/// Finds the highest rate a scenario sustains: step the rate up until a probe fails, then bisect between
/// the last good and the first bad rate. Each probe is a full, short run of the scenario.
public struct RateSearch: Sendable {
    /// One probe: the offered rate and what came of it.
    public struct Probe: Sendable, Codable {
        public var rateScale: Double
        public var offeredRate: Double
        public var achievedRate: Double
        public var e2eP50Ms: Double?
        public var e2eP99Ms: Double?
        public var maxPending: Double
        public var maxParts: Int
        public var drained: Bool
        public var status: String
        public var sustainable: Bool
        public var why: [String]
    }

    /// Where the curve bends: the highest sustainable probe, and the first failing one above it.
    public struct Result: Sendable, Codable {
        public var scenario: String
        public var probes: [Probe]
        public var knee: Probe?
        public var firstFailure: Probe?
    }

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

    public func run() async throws -> Result {
        // One stack for every probe (each probe recreates its database and streams).
        let stack = LocalStack(config: try StackConfig.fromEnvironment(ProcessInfo.processInfo.environment, projectRoot: projectRoot))
        let startedHere = !(stack.natsHealthy() && stack.clickHouseHealthy())
        try stack.up(log: { output("[stack] \($0)") })
        defer { if startedHere { stack.down(); output("[search] stopped the local stack it started") } }

        var probes: [Probe] = []
        var good: Probe?, bad: Probe?
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
        return Result(scenario: scenario.name, probes: probes.sorted { $0.rateScale < $1.rateScale }, knee: good, firstFailure: bad)
    }

    func probe(_ scale: Double) async throws -> Probe {
        var o = RunOverrides()
        o.rateScale = scale
        o.duration = probeDuration
        output(String(format: "[search] probe at %.0f events/s (rate scale %.3f) for %@", baseRate * scale, scale, "\(probeDuration)"))
        let runner = ScenarioRunner(scenario: scenario, overrides: o, projectRoot: projectRoot, output: { line in
            // Probe progress is noise at this level; keep the run's verdict lines only.
            if line.hasPrefix("[run] drain") || line.hasPrefix("[run] drained") { output("  " + line) }
        })
        let r = await runner.run()
        let offered = r.workloads.reduce(0) { $0 + $1.offeredRate }
        let achieved = r.measuredSeconds > 0 ? Double(r.workloads.reduce(0) { $0 + $1.measuredPublished }) / r.measuredSeconds : 0
        let parts = r.tables.map(\.activeParts).max() ?? 0
        var why: [String] = []
        if r.status == .invalid { why += r.invalidReasons }
        if r.status == .error || r.status == .aborted { why.append("run \(r.status.rawValue): \(r.notes.joined(separator: "; "))") }
        if r.status == .failedGates { why += r.gates.filter { !$0.passed }.map { "gate \($0.expression) failed" + ($0.measured.map { " (measured \($0))" } ?? "") } }
        if !r.drained { why.append("backlog did not drain") }
        if r.maxConsumerPending > offered * maxBacklogSeconds { why.append(String(format: "backlog peaked at %.0f messages (> %.0f s of traffic)", r.maxConsumerPending, maxBacklogSeconds)) }
        if parts > maxParts { why.append("\(parts) active parts in one table (limit \(maxParts))") }
        if r.lost > 0 { why.append("\(r.lost) events lost") }
        let p = Probe(rateScale: scale, offeredRate: offered, achievedRate: achieved, e2eP50Ms: r.e2eLag.map { $0.p50 * 1000 },
                      e2eP99Ms: r.e2eLag.map { $0.p99 * 1000 }, maxPending: r.maxConsumerPending, maxParts: parts, drained: r.drained,
                      status: r.status.rawValue, sustainable: why.isEmpty, why: why)
        output(String(format: "[search]   → %@: achieved %.0f/s, e2e p99 %@, backlog max %.0f, parts %d%@", p.sustainable ? "sustainable" : "NOT sustainable",
                      achieved, p.e2eP99Ms.map { String(format: "%.0f ms", $0) } ?? "n/a", p.maxPending, parts,
                      why.isEmpty ? "" : " (" + why.joined(separator: "; ") + ")"))
        return p
    }

    /// Markdown table of the curve, the knee, and a self-contained HTML page with the rate-vs-lag chart.
    public static func markdown(_ r: Result) -> String {
        var s = "# rsbench search: \(r.scenario)\n\n| offered ev/s | achieved ev/s | e2e p50 ms | e2e p99 ms | max backlog | parts | verdict |\n|---:|---:|---:|---:|---:|---:|---|\n"
        for p in r.probes {
            s += String(format: "| %.0f | %.0f | %@ | %@ | %.0f | %d | %@ |\n", p.offeredRate, p.achievedRate,
                        p.e2eP50Ms.map { String(format: "%.0f", $0) } ?? "–", p.e2eP99Ms.map { String(format: "%.0f", $0) } ?? "–",
                        p.maxPending, p.maxParts, p.sustainable ? "sustainable" : "no: " + p.why.joined(separator: "; "))
        }
        if let k = r.knee {
            s += String(format: "\n**Knee: %.0f events/s** sustained (e2e p99 %@).", k.offeredRate, k.e2eP99Ms.map { String(format: "%.0f ms", $0) } ?? "n/a")
            if let f = r.firstFailure { s += String(format: " First failure at %.0f events/s: %@.", f.offeredRate, f.why.joined(separator: "; ")) }
            s += "\n"
        } else {
            s += "\nNo probe was sustainable: lower the start rate (--start-scale).\n"
        }
        return s
    }

    public static func html(_ r: Result) -> String {
        let ok = r.probes.filter(\.sustainable), all = r.probes
        let chart = SVGLineChart(id: "curve", title: "Offered rate vs end-to-end lag p99", xLabel: "offered events/s", yLabel: "e2e p99 (ms)",
                                 series: [ChartSeries(name: "all probes", points: all.compactMap { p in p.e2eP99Ms.map { ChartPoint(x: p.offeredRate, y: $0) } }),
                                          ChartSeries(name: "sustainable", points: ok.compactMap { p in p.e2eP99Ms.map { ChartPoint(x: p.offeredRate, y: $0) } })])
        let md = markdown(r).replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>rsbench search \(r.scenario)</title><style>body{font-family:sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em}</style></head><body>\(chart.render())<pre>\(md)</pre></body></html>"
    }
}
