import Foundation
import Testing
@testable import Reporting

/// `rsbench run --repeat N` folders and kept baselines: what is written, what `compare` reads back, and the errors
/// that stop a gated run before it starts.
@Suite struct RunSetTests {
    static func temporary() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("runset-test-\(UUID().uuidString)", isDirectory: true)
    }

    static func runs(_ n: Int, scale: Double, name: String = "baseline-smoke") -> [RunReport] {
        (0..<n).map { i in
            var r = Fixtures.report(name: name, p99Scale: scale * (1 + Double(i) / 100), status: .pass)
            r.startedAt = r.startedAt.addingTimeInterval(Double(i) * 60)
            return r
        }
    }

    @Test func setFolderHoldsEveryRunAndReadsBackAsOneSide() throws {
        let root = Self.temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let reports = Self.runs(3, scale: 1)
        let set = RunSetDirectory(directory: root.appendingPathComponent(RunSetDirectory.directoryName(scenario: reports[0].scenario.name, startedAt: reports[0].startedAt, count: 3)))
        #expect(set.directory.lastPathComponent == "20250101T120000Z-baseline-smoke-x3")
        for (i, r) in reports.enumerated() { try set.append(r, number: i + 1) }
        for folder in ["run-1", "run-2", "run-3"] {
            for file in ["summary.json", "report.md", "report.html", "junit.xml"] {
                #expect(FileManager.default.fileExists(atPath: set.directory.appendingPathComponent("\(folder)/\(file)").path), "\(folder)/\(file)")
            }
        }
        let index = try RunSetDirectory.index(in: set.directory)
        #expect(index.runs.map(\.folder) == ["run-1", "run-2", "run-3"])
        #expect(index.runs.allSatisfy { $0.status == .pass })
        #expect(index.scenario == "baseline-smoke")
        let back = try RunSetDirectory.load(from: set.directory)
        #expect(back.map(\.startedAt) == reports.map(\.startedAt))
        // A plain report folder is a set of one.
        #expect(try RunSetDirectory.load(from: set.directory.appendingPathComponent("run-2")).count == 1)

        let comparison = try RunComparator().compare(baseline: back, candidate: Self.runs(3, scale: 1.5))
        try set.writeSummary(back, comparison: comparison)
        try RunSetDirectory.writeComparison(comparison, into: set.directory)
        let md = try String(contentsOf: set.directory.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(md.contains("| run-3 | pass |"))
        #expect(md.contains("cannot reach α 0.05 with 3 vs 3 runs"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: set.directory.appendingPathComponent("comparison.json"))) as? [String: Any]
        #expect(json?["regression"] as? Bool == true)
        #expect(FileManager.default.fileExists(atPath: set.directory.appendingPathComponent("comparison.md").path))
    }

    @Test func savedBaselineKeepsSummariesOnlyAndLoadsForItsScenario() throws {
        let reports = Self.temporary()
        defer { try? FileManager.default.removeItem(at: reports) }
        let store = BaselineStore(reports: reports)
        let dir = try store.save(Self.runs(4, scale: 1), as: "ci")
        #expect(dir.path == reports.appendingPathComponent("baselines/ci").path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("run-1").path) == ["summary.json"])
        #expect(try store.load("ci", scenario: "baseline-smoke").count == 4)
        // Saving again replaces the set: no run-4 left over from the longer one.
        try store.save(Self.runs(2, scale: 1), as: "ci")
        #expect(try store.load("ci", scenario: "baseline-smoke").count == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("run-4").path))

        #expect(throws: RunSetError.missingBaseline(flag: "--baseline", name: "nightly", path: store.folder("nightly").path)) {
            try store.load("nightly", scenario: "baseline-smoke")
        }
        #expect(throws: RunSetError.baselineOfAnotherScenario(flag: "--baseline", name: "ci", found: ["baseline-smoke"], expected: "peak")) {
            try store.load("ci", scenario: "peak")
        }
        for bad in ["", "..", "../ci", "a/b", "ci nightly"] {
            #expect(throws: RunSetError.badBaselineName(flag: "--save-baseline", name: bad)) { try BaselineStore.checkName(bad, flag: "--save-baseline") }
        }
        // A folder that is not a set of runs names the folder.
        try FileManager.default.createDirectory(at: store.folder("empty"), withIntermediateDirectories: true)
        #expect(throws: RunSetError.self) { try store.load("empty", scenario: "baseline-smoke") }
    }

    @Test func errorMessagesNameTheFlagAndWhatWasExpected() {
        #expect(RunSetError.badRepeat("0").description == "--repeat 0: expected a whole number of runs from 1 to 50, like --repeat 4")
        let missing = RunSetError.missingBaseline(flag: "--baseline", name: "ci", path: "/x/reports/baselines/ci").description
        #expect(missing.hasPrefix("--baseline ci: /x/reports/baselines/ci does not exist"))
        #expect(missing.contains("--save-baseline ci"))
        #expect(RunSetError.badBaselineName(flag: "--save-baseline", name: "../x").description.hasPrefix("--save-baseline ../x: expected a plain name"))
        #expect(RunSetError.nothingToSave(flag: "--save-baseline", name: "ci", statuses: ["pass", "invalid"]).description
            .hasPrefix("--save-baseline ci: not saved, because not every run is a valid measurement (pass, invalid)"))
        // Which runs are compared with a baseline or kept as one.
        #expect(Verdict.Status.allCases.filter(\.isMeasurement) == [.pass, .failed])
    }
}
