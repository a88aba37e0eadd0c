import Foundation

/// Two-sided Mann–Whitney U test, with SciPy's `mannwhitneyu(method="auto")` rule for the p-value.
///
/// SciPy 1.17 (`_mwu_choose_method`) uses the exact null distribution when at least one sample has 8 or fewer
/// values and there are no ties; otherwise the normal approximation with tie correction and continuity correction.
/// The exact distribution is only valid without ties (it counts orderings of distinct values), and once both
/// samples are past 8 the approximation is close enough. `Tests/ReportingTests` checks the p-values against
/// SciPy's (`scripts/mannwhitney-reference.py`).
public struct MannWhitneyU: Sendable, Equatable {
    /// How the p-value was obtained.
    public enum Method: String, Sendable, Codable {
        case exact, normal
    }

    /// U statistic of the first sample (count of pairs where a > b, ties counting ½), SciPy's `statistic`.
    public var u: Double
    public var pValue: Double
    public var method: Method

    /// SciPy's bound: the exact distribution is used while the smaller sample has at most this many values.
    static let exactLimit = 8

    public init(_ a: [Double], _ b: [Double]) {
        let n1 = a.count, n2 = b.count
        guard n1 > 0, n2 > 0 else {
            self.u = 0; self.pValue = 1; self.method = .exact
            return
        }
        let ranked = Self.ranks(a + b)
        let r1 = ranked.ranks.prefix(n1).reduce(0, +)
        let u1 = r1 - Double(n1 * (n1 + 1)) / 2
        self.u = u1
        self.method = Self.method(n1: n1, n2: n2, ties: ranked.hasTies)
        self.pValue = method == .exact
            ? Self.exactTwoSided(u: u1, n1: n1, n2: n2)
            : Self.normalTwoSided(u: u1, n1: n1, n2: n2, tieTerm: ranked.tieTerm)
    }

    /// SciPy's choice for `method="auto"`.
    static func method(n1: Int, n2: Int, ties: Bool) -> Method {
        min(n1, n2) <= exactLimit && !ties ? .exact : .normal
    }

    /// The smallest two-sided p-value the test can give for these sample sizes (complete separation, no ties):
    /// 2 / C(n1 + n2, n1) from the exact distribution, or the normal approximation's value at U = 0. When it is not
    /// below α, no data can make the test significant.
    public static func minimumPValue(n1: Int, n2: Int) -> Double {
        guard n1 > 0, n2 > 0 else { return 1 }
        return pValue(u: 0, n1: n1, n2: n2)
    }

    /// Two-sided p-value of a U from untied samples of these sizes, by SciPy's rule.
    static func pValue(u: Double, n1: Int, n2: Int) -> Double {
        method(n1: n1, n2: n2, ties: false) == .exact
            ? exactTwoSided(u: u, n1: n1, n2: n2)
            : normalTwoSided(u: u, n1: n1, n2: n2, tieTerm: 0)
    }

    /// The largest number of baseline/candidate pairs that may be out of order (the smaller of U and n1·n2 − U) for a
    /// two-sided p below α, or nil when even complete separation is not enough. This is the test's power in one number:
    /// 4 vs 4 at α 0.05 tolerates 0 of 16 pairs, 5 vs 5 tolerates 2 of 25.
    public static func maxPairsOutOfOrder(n1: Int, n2: Int, alpha: Double) -> Int? {
        guard n1 > 0, n2 > 0 else { return nil }
        // Below the middle the two-sided p is 2·P(U ≤ k), rising with k, so the first k that misses α ends the search.
        let exact = method(n1: n1, n2: n2, ties: false) == .exact
        let counts = exact ? distribution(n1: n1, n2: n2) : []
        let total = counts.reduce(0, +)
        var best: Int?, lower = 0.0
        for k in 0...(n1 * n2 / 2) {
            let p: Double
            if exact {
                lower += counts[k]
                p = min(1, 2 * lower / total)
            } else {
                p = normalTwoSided(u: Double(k), n1: n1, n2: n2, tieTerm: 0)
            }
            guard p < alpha else { break }
            best = k
        }
        return best
    }

    /// The fewest runs a side (equal sizes) for which the test can reach α at all.
    public static func minimumRunsPerSide(alpha: Double) -> Int {
        var n = 1
        while minimumPValue(n1: n, n2: n) >= alpha, n < 1000 { n += 1 }
        return n
    }

    /// Mid-ranks (ties share the mean rank) and Σ(t³ − t) over tie groups.
    static func ranks(_ values: [Double]) -> (ranks: [Double], hasTies: Bool, tieTerm: Double) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var tieTerm = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count, values[order[j + 1]] == values[order[i]] { j += 1 }
            let mid = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = mid }
            let t = Double(j - i + 1)
            tieTerm += t * t * t - t
            i = j + 1
        }
        return (ranks, tieTerm > 0, tieTerm)
    }

    /// 2 · min(P(U ≤ u), P(U ≥ u)) from the exact null distribution, capped at 1; by symmetry this is SciPy's
    /// 2 · P(U ≥ max(U1, U2)).
    static func exactTwoSided(u: Double, n1: Int, n2: Int) -> Double {
        let counts = distribution(n1: n1, n2: n2)
        let total = counts.reduce(0, +)
        let k = Int(u.rounded())
        let lower = counts[0...min(k, counts.count - 1)].reduce(0, +) / total
        let upper = counts[max(0, k)...].reduce(0, +) / total
        return min(1, 2 * min(lower, upper))
    }

    /// Number of arrangements giving each U = 0...n1·n2, by the recurrence
    /// f(m, n, u) = f(m−1, n, u−n) + f(m, n−1, u) (the largest value is in sample 1 or not).
    static func distribution(n1: Int, n2: Int) -> [Double] {
        // table[n][u] for the current m; Doubles because the counts are binomial coefficients.
        var prev = [[Double]](repeating: [1], count: n2 + 1)    // m = 0: only U = 0
        for m in 1...n1 {
            var cur = [[Double]](repeating: [], count: n2 + 1)
            cur[0] = [1]                                         // n = 0: only U = 0
            for n in 1...max(1, n2) where n <= n2 {
                var row = [Double](repeating: 0, count: m * n + 1)
                for (u, c) in prev[n].enumerated() where c != 0 { row[u + n] += c }
                for (u, c) in cur[n - 1].enumerated() where c != 0 { row[u] += c }
                cur[n] = row
            }
            prev = cur
        }
        return prev[n2]
    }

    /// SciPy's `_get_mwu_z` with `use_continuity=True`: z = (|U − n1·n2/2| − ½) / σ, σ with the tie correction;
    /// p = 2 · (1 − Φ(z)), capped at 1 (a |U − mean| under ½ gives 1, as SciPy's clip does).
    static func normalTwoSided(u: Double, n1: Int, n2: Int, tieTerm: Double) -> Double {
        let a = Double(n1), b = Double(n2), n = a + b
        let mean = a * b / 2
        let variance = a * b / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { return 1 }
        let z = max(0, abs(u - mean) - 0.5) / variance.squareRoot()
        return min(1, erfc(z / 2.0.squareRoot()))
    }
}
