/// Compares repeated runs of one scenario (baseline vs candidate) metric by metric.
public struct RunComparator: Sendable {
    public var options: CompareOptions

    public init(options: CompareOptions = CompareOptions()) {
        self.options = options
    }

    public func compare(baseline: [RunReport], candidate: [RunReport]) throws -> ComparisonReport {
        guard !baseline.isEmpty else { throw ReportingError.noReports(side: "baseline") }
        guard !candidate.isEmpty else { throw ReportingError.noReports(side: "candidate") }
        for (side, runs) in [("baseline", baseline), ("candidate", candidate)] {
            let names = Set(runs.map(\.scenario.name))
            if names.count > 1 { throw ReportingError.mixedScenarios(side: side, names: names.sorted()) }
        }
        let b = baseline.map(ComparableMetrics.extract)
        let c = candidate.map(ComparableMetrics.extract)
        // Only metrics every run on both sides measured are comparable; a partial column would bias the medians.
        let inB = b.dropFirst().reduce(Set(b[0].keys)) { $0.intersection($1.keys) }
        let inC = c.dropFirst().reduce(Set(c[0].keys)) { $0.intersection($1.keys) }
        let common = inB.intersection(inC).filter(options.includes).sorted()
        let rule = ComparisonRule(baselineRuns: baseline.count, candidateRuns: candidate.count, alpha: options.alpha)
        let rows = common.map { key in
            compareMetric(key, b.map { $0[key]! }, c.map { $0[key]! }, rule: rule)
        }
        return ComparisonReport(scenario: baseline[0].scenario.name, baselineRuns: baseline.count, candidateRuns: candidate.count, rule: rule,
                                metrics: rows, unmatched: inB.symmetricDifference(inC).filter(options.includes).sorted())
    }

    func compareMetric(_ key: String, _ base: [ComparableMetrics.Value], _ cand: [ComparableMetrics.Value]) -> MetricComparison {
        compareMetric(key, base, cand, rule: ComparisonRule(baselineRuns: base.count, candidateRuns: cand.count, alpha: options.alpha))
    }

    func compareMetric(_ key: String, _ base: [ComparableMetrics.Value], _ cand: [ComparableMetrics.Value], rule: ComparisonRule) -> MetricComparison {
        let bv = base.map(\.value), cv = cand.map(\.value)
        let bm = Self.median(bv), cm = Self.median(cv)
        let change: Double = bm == 0 ? (cm == 0 ? 0 : (cm > 0 ? .infinity : -.infinity)) : (cm - bm) / abs(bm) * 100
        let direction = base[0].direction
        let better = direction == .lowerIsBetter ? change < 0 : change > 0
        let directional: MetricComparison.Verdict = better ? .improved : .regressed
        let tolerance = options.tolerance(for: key)

        if rule.kind == .mannWhitney {
            let test = MannWhitneyU(bv, cv)
            let minEffect = options.hasExplicitTolerance(for: key) ? max(options.minimumEffectPercent, tolerance) : options.minimumEffectPercent
            let verdict: MetricComparison.Verdict
            if abs(change) < minEffect {
                verdict = .unchanged
            } else if test.pValue < options.alpha {
                verdict = directional
            } else {
                verdict = .noise
            }
            return MetricComparison(metric: key, unit: base[0].unit, direction: direction, baseline: bv, candidate: cv, baselineMedian: bm, candidateMedian: cm,
                                    changePercent: change, method: .mannWhitney, pValue: test.pValue, thresholdPercent: minEffect, verdict: verdict)
        }
        let verdict: MetricComparison.Verdict = abs(change) <= tolerance ? .unchanged : directional
        return MetricComparison(metric: key, unit: base[0].unit, direction: direction, baseline: bv, candidate: cv, baselineMedian: bm, candidateMedian: cm,
                                changePercent: change, method: .tolerance, pValue: nil, thresholdPercent: tolerance, verdict: verdict)
    }

    static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
