import Foundation

/// Two-sided Mann–Whitney U test: exact for small samples without ties, else the normal
/// approximation with tie and continuity correction (the same choices as SciPy's defaults).
public struct MannWhitneyU: Sendable, Equatable {
    /// How the p-value was obtained.
    public enum Method: String, Sendable, Codable {
        case exact, normal
    }

    /// U statistic of the first sample (count of pairs where a > b, ties counting ½).
    public var u: Double
    public var pValue: Double
    public var method: Method

    /// Largest n1·n2 for which the exact distribution is enumerated; beyond it the normal
    /// approximation is accurate and the table would only cost time.
    static let exactLimit = 400

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
        if !ranked.hasTies, n1 * n2 <= Self.exactLimit {
            self.method = .exact
            self.pValue = Self.exactTwoSided(u: u1, n1: n1, n2: n2)
        } else {
            self.method = .normal
            self.pValue = Self.normalTwoSided(u: u1, n1: n1, n2: n2, tieTerm: ranked.tieTerm)
        }
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

    /// 2 · min(P(U ≤ u), P(U ≥ u)) from the exact null distribution, capped at 1.
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

    static func normalTwoSided(u: Double, n1: Int, n2: Int, tieTerm: Double) -> Double {
        let a = Double(n1), b = Double(n2), n = a + b
        let mean = a * b / 2
        let variance = a * b / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { return 1 }
        let z = max(0, abs(u - mean) - 0.5) / variance.squareRoot()
        return min(1, erfc(z / 2.0.squareRoot()))
    }
}
