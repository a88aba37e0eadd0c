import Foundation
import Testing
@testable import Reporting

/// fixtures/reports/sample-summary.json, the input of scripts/sample-reports, stays readable by today's model
/// and keeps showing every gate outcome.
@Suite struct SampleSummaryTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/reports/sample-summary.json")

    @Test func sampleLoadsAndEveryWriterRendersIt() throws {
        let report = try RunReport.load(from: Self.file)
        #expect(report.verdict.status == .failed)
        #expect(Set(report.gates.map(\.verdict.rawValue)) == ["pass", "fail", "missing"])
        #expect(report.timeSeries.count == 10)
        for writer in StandardWriters.all {
            #expect(try !writer.render(report).isEmpty, "\(writer.fileName) is empty")
        }
    }
}
