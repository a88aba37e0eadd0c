import Foundation
import Testing
@testable import Reporting

/// The rule `compare` picks by arithmetic on the run counts, what it prints about it, and `compare --json`.
@Suite struct CompareRuleTests {
    /// n runs a side with 3 % noise, the candidate's latencies `shift` higher.
    static func compared(_ n: Int, shift: Double, seed: UInt64, options: CompareOptions = CompareOptions()) throws -> ComparisonReport {
        var rng = SplitMix64(seed: seed)
        let base = CompareTests.runs(n, scale: 1.0, noise: 0.03, rng: &rng)
        let cand = CompareTests.runs(n, scale: 1 + shift, noise: 0.03, rng: &rng)
        return try RunComparator(options: options).compare(baseline: base, candidate: cand)
    }

    @Test func fourVersusFourFlagsATrueTwentyPercentRegression() throws {
        let result = try Self.compared(4, shift: 0.2, seed: 4)
        #expect(result.rule.kind == .mannWhitney)
        let p99 = try #require(result.metrics.first { $0.metric == "e2e_lag.p99" })
        #expect(p99.method == .mannWhitney)
        #expect(p99.verdict == .regressed)
        // 3 % noise cannot hide 20 %: the samples separate completely, the smallest p 4 vs 4 allows.
        #expect(abs(try #require(p99.pValue) - 2.0 / 70) < 1e-12)
        #expect(result.hasRegression)
        let md = result.markdown()
        #expect(md.contains("Rule: two-sided Mann–Whitney U at α 0.05 (4 vs 4 runs can reach p = 0.0286)"), "\(md)")
        #expect(md.contains("Power: at 4 vs 4 runs a change is significant only when at most 0 of the 16 baseline/candidate pairs are out of order"), "\(md)")
    }

    @Test func threeVersusThreeSaysTheTestCannotReachAlphaAndUsesTheBand() throws {
        let result = try Self.compared(3, shift: 0.2, seed: 3)
        #expect(result.rule.kind == .toleranceBand)
        #expect(result.rule.minimumPValue == 2.0 / 20)
        let p99 = try #require(result.metrics.first { $0.metric == "e2e_lag.p99" })
        // Before, 3 vs 3 went to the test, whose best p of 0.1 made this "noise"; the band sees +20 % > 10 %.
        #expect(p99.method == .tolerance)
        #expect(p99.pValue == nil)
        #expect(p99.verdict == .regressed)
        #expect(result.metrics.first { $0.metric == "insert_rows_per_s.trades" }?.verdict == .unchanged)
        let md = result.markdown()
        #expect(md.contains("Rule: the Mann–Whitney U test cannot reach α 0.05 with 3 vs 3 runs (its smallest two-sided p is 0.1), so each metric is judged by the tolerance band on medians instead."), "\(md)")
        #expect(md.contains("Power: α 0.05 needs at least 4 runs a side; at 4 vs 4 runs a change is significant only when at most 0 of the 16 baseline/candidate pairs are out of order (every candidate run beyond every baseline run)."), "\(md)")
        #expect(md.contains("±10% band"))
    }

    @Test func alphaDecidesTheRule() throws {
        // At α 0.01, 4 vs 4 (best p 0.029) is out of reach: the band decides, and the note asks for 5 a side.
        let strict = try Self.compared(4, shift: 0.2, seed: 5, options: CompareOptions(alpha: 0.01))
        #expect(strict.rule.kind == .toleranceBand)
        #expect(strict.rule.minimumRunsPerSide == 5)
        #expect(strict.markdown().contains("α 0.01 needs at least 5 runs a side; at 5 vs 5 runs a change is significant only when at most 0 of the 25"))
        // At α 0.1, 3 vs 3 (best p exactly 0.1) still misses p < α; 4 vs 4 then tolerates one pair out of order.
        let loose = try Self.compared(3, shift: 0.2, seed: 5, options: CompareOptions(alpha: 0.1))
        #expect(loose.rule.kind == .toleranceBand)
        #expect(loose.rule.powerNote == "Power: α 0.1 needs at least 4 runs a side; at 4 vs 4 runs a change is significant only when at most 1 of the 16 baseline/candidate pairs are out of order.")
    }

    @Test func jsonCarriesTheRuleAndEveryVerdict() throws {
        let result = try Self.compared(5, shift: 0.25, seed: 6)
        let json = try #require(try JSONSerialization.jsonObject(with: result.json()) as? [String: Any])
        #expect(json["schema"] as? String == "rsbench.compare/1")
        #expect(json["regression"] as? Bool == true)
        #expect(json["baselineRuns"] as? Int == 5)
        let rule = try #require(json["rule"] as? [String: Any])
        #expect(rule["kind"] as? String == "mann-whitney")
        #expect(rule["maxPairsOutOfOrder"] as? Int == 2)
        #expect((rule["statement"] as? String)?.hasPrefix("Rule: two-sided Mann–Whitney U") == true)
        let metrics = try #require(json["metrics"] as? [[String: Any]])
        #expect(metrics.count == result.metrics.count)
        let p99 = try #require(metrics.first { $0["metric"] as? String == "e2e_lag.p99" })
        #expect(p99["verdict"] as? String == "regressed")
        #expect(p99["method"] as? String == "mann-whitney")
        #expect((p99["pValue"] as? Double).map { $0 < 0.05 } == true)
        #expect((p99["baseline"] as? [Double])?.count == 5)
    }

    @Test func onlyMetricsKeepsTheGatedOnes() throws {
        let options = CompareOptions(onlyMetrics: ["insert_rows_per_s", "e2e_lag.p50"])
        let r = try RunComparator(options: options).compare(baseline: [Fixtures.report()], candidate: [Fixtures.report(p99Scale: 2)])
        #expect(Set(r.metrics.map(\.metric)) == ["insert_rows_per_s", "insert_rows_per_s.trades", "e2e_lag.p50"])
        #expect(r.hasRegression, "e2e_lag.p50 doubled")
    }

    @Test func optionsParseTheFlagsAndNameTheBadOne() throws {
        let o = try CompareOptions.parse(tolerances: ["e2e_lag=15", "cpu=40"], defaultTolerance: 12, only: ["e2e_lag, cpu", "achieved_rate"], alpha: 0.05)
        #expect(o.tolerances == ["e2e_lag": 15, "cpu": 40])
        #expect(o.defaultTolerancePercent == 12)
        #expect(o.onlyMetrics == ["e2e_lag", "cpu", "achieved_rate"])
        #expect(throws: CompareOptionsError.badTolerance("e2e_lag")) { try CompareOptions.parse(tolerances: ["e2e_lag"], defaultTolerance: 10, only: [], alpha: 0.05) }
        #expect(throws: CompareOptionsError.badTolerance("=5")) { try CompareOptions.parse(tolerances: ["=5"], defaultTolerance: 10, only: [], alpha: 0.05) }
        #expect(throws: CompareOptionsError.badAlpha(1.5)) { try CompareOptions.parse(tolerances: [], defaultTolerance: 10, only: [], alpha: 1.5) }
        #expect(CompareOptionsError.badTolerance("x=-1").description.hasPrefix("--tolerance x=-1: expected prefix=percent"))
    }
}
