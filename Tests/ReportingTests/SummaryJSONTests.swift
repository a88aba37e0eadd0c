import Foundation
import Testing
@testable import Reporting

@Suite struct SummaryJSONTests {
    @Test func roundTripIsLossless() throws {
        let report = Fixtures.report()
        let bytes = try SummaryJSONWriter().render(report)
        let decoded = try RunReport.decode(from: Data(bytes))
        #expect(decoded == report)
    }

    @Test func schemaStringAndSortedKeysPresent() throws {
        let text = try SummaryJSONWriter().renderString(Fixtures.report())
        #expect(text.contains("\"schema\" : \"rsbench.summary/1\""))
        #expect(text.contains("\"startedAt\" : \"2025-01-01T12:00:00.000Z\""))
        #expect(text.contains("\"compressionRatio\" : 4"))
        // sorted keys: "crossChecks" precedes "durationSeconds" precedes "environment"
        let a = text.range(of: "\"crossChecks\"")!.lowerBound, b = text.range(of: "\"durationSeconds\"")!.lowerBound
        #expect(a < b)
    }

    @Test func rejectsOtherSchema() throws {
        var text = try SummaryJSONWriter().renderString(Fixtures.report())
        text = text.replacingOccurrences(of: "rsbench.summary/1", with: "rsbench.summary/2")
        #expect(throws: ReportingError.self) { try RunReport.decode(from: Data(text.utf8)) }
    }

    @Test func markdownHasAllSections() throws {
        let md = try MarkdownReportWriter().renderString(Fixtures.report())
        for needle in ["FAILED", "#### Gates", "`e2e_lag.p99 < 500ms`", "e2e lag (corrected)", "e2e lag (uncorrected)", "| trades |", "acked_vs_rows.trades", "nats-server", "rsbench 0.1.0"] {
            #expect(md.contains(needle), "missing \(needle)")
        }
    }

    @Test func environmentParsing() {
        let cpu = "processor\t: 0\nmodel name\t: AMD EPYC 7B13\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n"
        let parsed = EnvironmentCollector.parseCPUInfo(cpu)
        #expect(parsed.model == "AMD EPYC 7B13")
        #expect(parsed.cores == 2)
        #expect(EnvironmentCollector.parseMemTotalMB("MemTotal:       16384000 kB\nMemFree: 1 kB\n") == 16000)
        let live = EnvironmentCollector().collect(rsbenchVersion: "t", scenarioSHA256: "x")
        #expect(live.cpuCores > 0)
        #expect(live.os == "Linux")
        #expect(!live.kernel.isEmpty)
    }
}
