import Foundation
import Testing
@testable import Reporting

@Suite struct CompareTests {
    static func runs(_ n: Int, scale: Double, noise: Double, rng: inout SplitMix64, rows: Double = 1000) -> [RunReport] {
        (0..<n).map { _ in Fixtures.report(p99Scale: scale * (1 + Double.random(in: -noise...noise, using: &rng)), rowsPerSecond: rows) }
    }

    @Test func flagsTwentyPercentLatencyRegressionFiveVsFive() throws {
        var rng = SplitMix64(seed: 42)
        let base = Self.runs(5, scale: 1.0, noise: 0.03, rng: &rng)
        let cand = Self.runs(5, scale: 1.2, noise: 0.03, rng: &rng)
        let result = try RunComparator().compare(baseline: base, candidate: cand)
        let p99 = try #require(result.metrics.first { $0.metric == "e2e_lag.p99" })
        #expect(p99.method == .mannWhitney)
        #expect(p99.verdict == .regressed)
        #expect(abs(p99.changePercent - 20) < 7)
        #expect(try #require(p99.pValue) < 0.05)
        #expect(result.hasRegression)
        // throughput did not move
        #expect(result.metrics.first { $0.metric == "insert_rows_per_s.trades" }?.verdict == .unchanged)
        #expect(result.markdown().contains("🔴 regressed"))
    }

    @Test func pureNoiseIsNotARegression() throws {
        var rng = SplitMix64(seed: 7)
        let base = Self.runs(5, scale: 1.0, noise: 0.03, rng: &rng)
        let cand = Self.runs(5, scale: 1.0, noise: 0.03, rng: &rng)
        let result = try RunComparator().compare(baseline: base, candidate: cand)
        #expect(!result.hasRegression)
        #expect(result.metrics.allSatisfy { $0.verdict == .unchanged || $0.verdict == .noise })
        #expect(!result.metrics.isEmpty)
    }

    @Test func bigButInconsistentChangeIsNoise() {
        // medians differ by 20 % but the samples overlap: the test cannot tell it from variance
        let c = RunComparator().compareMetric("e2e_lag.p99", [100, 200, 50, 300, 100].map { .init(value: $0, unit: "ms", direction: .lowerIsBetter) },
                                              [120, 40, 310, 180, 90].map { .init(value: $0, unit: "ms", direction: .lowerIsBetter) })
        #expect(c.verdict == .noise)
    }

    @Test func singleRunToleranceBand() throws {
        let base = [Fixtures.report(p99Scale: 1.0)]
        let within = try RunComparator().compare(baseline: base, candidate: [Fixtures.report(p99Scale: 1.08)])
        let m1 = try #require(within.metrics.first { $0.metric == "e2e_lag.p99" })
        #expect(m1.method == .tolerance && m1.verdict == .unchanged && m1.thresholdPercent == 10)

        let beyond = try RunComparator().compare(baseline: base, candidate: [Fixtures.report(p99Scale: 1.12)])
        #expect(beyond.metrics.first { $0.metric == "e2e_lag.p99" }?.verdict == .regressed)
        #expect(beyond.hasRegression)

        // a scenario's `compare: tolerance:` block widens the band for one metric family
        let options = CompareOptions(tolerances: ["e2e_lag": 15, "e2e_lag.max": 50])
        #expect(options.tolerance(for: "e2e_lag.max") == 50)
        #expect(options.tolerance(for: "e2e_lag.p99") == 15)
        #expect(options.tolerance(for: "cpu.nats-server") == 10)
        let widened = try RunComparator(options: options).compare(baseline: base, candidate: [Fixtures.report(p99Scale: 1.12)])
        #expect(widened.metrics.first { $0.metric == "e2e_lag.p99" }?.verdict == .unchanged)
        // prefixes match whole dot-separated segments: `e2e_lag` does not cover `e2e_lag_uncorrected`
        #expect(widened.metrics.first { $0.metric == "e2e_lag_uncorrected.p99" }?.verdict == .regressed)
    }

    @Test func directionAwareness() throws {
        let base = [Fixtures.report(p99Scale: 1.0, rowsPerSecond: 1000, cpu: 50)]
        let cand = [Fixtures.report(p99Scale: 0.8, rowsPerSecond: 800, cpu: 40)]
        let r = try RunComparator().compare(baseline: base, candidate: cand)
        #expect(r.metrics.first { $0.metric == "insert_rows_per_s.trades" }?.verdict == .regressed)
        #expect(r.metrics.first { $0.metric == "e2e_lag.p99" }?.verdict == .improved)
        #expect(r.metrics.first { $0.metric == "cpu.nats-server" }?.verdict == .improved)
        #expect(r.hasRegression)
        let up = try RunComparator().compare(baseline: base, candidate: [Fixtures.report(p99Scale: 1.0, rowsPerSecond: 1300)])
        #expect(up.metrics.first { $0.metric == "insert_rows_per_s.trades" }?.verdict == .improved)
        #expect(!up.hasRegression)
    }

    @Test func rejectsMixedScenariosAndEmptySides() {
        #expect(throws: ReportingError.noReports(side: "baseline")) { try RunComparator().compare(baseline: [], candidate: [Fixtures.report()]) }
        #expect(throws: ReportingError.self) {
            try RunComparator().compare(baseline: [Fixtures.report(name: "a"), Fixtures.report(name: "b")], candidate: [Fixtures.report()])
        }
    }

    // Hollander & Wolfe (1973), p. 69 — the example in R's `?wilcox.test`:
    // wilcox.test(x, y, alternative = "greater") gives W = 35, p = 0.1272 (exact); two-sided p = 0.2544.
    @Test func mannWhitneyMatchesTextbookExample() {
        let x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
        let y = [1.15, 0.88, 0.90, 0.74, 1.21]
        let t = MannWhitneyU(x, y)
        #expect(t.u == 35)
        #expect(t.method == .exact)
        #expect(abs(t.pValue - 0.2544122544) < 1e-9)
        // Normal approximation with continuity correction for the same data (SciPy: 0.24462360512698333).
        #expect(abs(MannWhitneyU.normalTwoSided(u: 35, n1: 10, n2: 5, tieTerm: 0) - 0.244623605127) < 1e-9)
    }

    @Test func mannWhitneyExactAndTies() {
        // Complete separation, 5 vs 5: p = 2 / C(10,5) = 2/252.
        let sep = MannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
        #expect(sep.u == 0)
        #expect(abs(sep.pValue - 2.0 / 252) < 1e-12)
        // With ties → normal approximation with tie correction (SciPy: 0.034453637039471276).
        let tied = MannWhitneyU([1, 2, 2, 3, 4], [3, 4, 5, 5, 6])
        #expect(tied.method == .normal)
        #expect(tied.u == 2)
        #expect(abs(tied.pValue - 0.034453637039471276) < 1e-9)
        // All values equal: no evidence at all.
        #expect(MannWhitneyU([1, 1, 1], [1, 1, 1]).pValue == 1)
        // The exact null distribution sums to C(n1+n2, n1).
        #expect(MannWhitneyU.distribution(n1: 4, n2: 6).reduce(0, +) == 210)
    }
}
