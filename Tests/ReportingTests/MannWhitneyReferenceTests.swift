import Foundation
import Testing
@testable import Reporting

/// `MannWhitneyU` against SciPy: `Fixtures/mannwhitney-scipy.json` holds SciPy 1.17's `mannwhitneyu(x, y,
/// alternative='two-sided', method='auto')` for 3v3 … 20v15 runs, with and without ties, written by
/// `scripts/mannwhitney-reference.py`. Without the file the test is skipped, never passed.
@Suite struct MannWhitneyReferenceTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mannwhitney-scipy.json")

    struct Reference: Decodable {
        struct Case: Decodable {
            var name: String
            var x: [Double]
            var y: [Double]
            var method: String
            var u: Double
            var p: Double
        }
        var scipy: String
        var cases: [Case]
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: fixture.path), "run scripts/mannwhitney-reference.py to write the SciPy fixture"))
    func pValuesMatchSciPy() throws {
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: Self.fixture))
        #expect(ref.cases.count >= 40)
        var sizes = Set<String>(), tied = 0
        for c in ref.cases {
            let t = MannWhitneyU(c.x, c.y)
            #expect(t.method.rawValue == c.method, "\(c.name): method")
            #expect(t.u == c.u, "\(c.name): U")
            // The exact distribution is a ratio of counts: 1e-9 relative. The normal approximation goes through erfc,
            // computed differently from SciPy's ndtr: 1e-6 relative.
            let tolerance = c.method == "exact" ? 1e-9 : 1e-6
            #expect(abs(t.pValue - c.p) <= tolerance * c.p, "\(c.name): p = \(t.pValue), SciPy \(c.p)")
            sizes.insert("\(c.x.count)v\(c.y.count)")
            if Set(c.x + c.y).count < c.x.count + c.y.count { tied += 1 }
        }
        // What the fixture must cover for the check to mean something.
        #expect(sizes.isSuperset(of: ["3v3", "4v4", "5v7", "8v8", "10v12"]), "\(sizes.sorted())")
        #expect(tied >= 5, "cases with ties")
        #expect(Set(ref.cases.map(\.method)) == ["exact", "normal"])
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: fixture.path), "run scripts/mannwhitney-reference.py to write the SciPy fixture"))
    func smallestPValueIsSciPysCompleteSeparation() throws {
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: Self.fixture))
        for c in ref.cases where c.name.hasSuffix("complete separation") {
            #expect(abs(MannWhitneyU.minimumPValue(n1: c.x.count, n2: c.y.count) - c.p) <= 1e-12 * c.p, "\(c.name)")
        }
    }

    @Test func minimumPValueAndRunsBySArithmetic() {
        // 2 / C(n1 + n2, n1)
        #expect(abs(MannWhitneyU.minimumPValue(n1: 3, n2: 3) - 0.1) < 1e-15)
        #expect(abs(MannWhitneyU.minimumPValue(n1: 4, n2: 4) - 2.0 / 70) < 1e-15)
        #expect(abs(MannWhitneyU.minimumPValue(n1: 3, n2: 4) - 2.0 / 35) < 1e-15)
        #expect(MannWhitneyU.minimumPValue(n1: 1, n2: 1) == 1)
        #expect(MannWhitneyU.minimumRunsPerSide(alpha: 0.05) == 4)
        #expect(MannWhitneyU.minimumRunsPerSide(alpha: 0.01) == 5)
        // p < α is the rule, and 3 vs 3 gives exactly 0.1: α 0.1 still needs 4.
        #expect(MannWhitneyU.minimumRunsPerSide(alpha: 0.1) == 4)
        #expect(MannWhitneyU.maxPairsOutOfOrder(n1: 3, n2: 3, alpha: 0.05) == nil)
        #expect(MannWhitneyU.maxPairsOutOfOrder(n1: 4, n2: 4, alpha: 0.05) == 0)
        // 5 vs 5: P(U ≤ 2) = 4/252, two-sided 0.032; P(U ≤ 3) = 7/252, two-sided 0.056.
        #expect(MannWhitneyU.maxPairsOutOfOrder(n1: 5, n2: 5, alpha: 0.05) == 2)
        // 8 vs 8, α 0.05: the critical value of the tables is 13.
        #expect(MannWhitneyU.maxPairsOutOfOrder(n1: 8, n2: 8, alpha: 0.05) == 13)
    }
}
