import Foundation
import Testing
@testable import Reporting

@Suite struct ReportDirectoryTests {
    @Test func createsDirectoryFilesAndLatestSymlink() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("reports-test-\(UUID().uuidString)/reports")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let dir = ReportDirectory(root: root)
        let first = try dir.write(Fixtures.report(name: "smoke test/1"))
        #expect(first.directory.lastPathComponent == "20250101T120000Z-smoke_test_1")
        #expect(first.latestIsSymlink)
        for name in ["summary.json", "report.md", "report.html", "junit.xml", "environment.json"] {
            #expect(FileManager.default.fileExists(atPath: first.directory.appendingPathComponent(name).path), "\(name) missing")
        }
        let latest = root.appendingPathComponent("latest").path
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: latest) == "20250101T120000Z-smoke_test_1")

        // a second run replaces the link
        var later = Fixtures.report(name: "other")
        later.startedAt = later.startedAt.addingTimeInterval(3600)
        let second = try dir.write(later)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: latest) == second.directory.lastPathComponent)
        #expect(try RunReport.load(from: root.appendingPathComponent("latest")).scenario.name == "other")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix(".latest") }
        #expect(leftovers.isEmpty)
    }

    @Test func fallsBackToLatestTxtWhenLatestIsADirectory() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("reports-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("latest/keep"), withIntermediateDirectories: true)
        let written = try ReportDirectory(root: root).write(Fixtures.report())
        #expect(!written.latestIsSymlink)
        let txt = try String(contentsOf: root.appendingPathComponent("latest.txt"), encoding: .utf8)
        #expect(txt == written.directory.lastPathComponent + "\n")
    }
}
