import ArgumentParser
import Foundation
import Reporting

/// `rsbench report <summary.json>…`: writes report folders again from runs' summary files, with today's writers.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a report folder (report.md, report.html, junit.xml, environment.json) from a run's summary.json.",
        discussion: """
            Renders a stored run again, so a change to the writers can be seen on real or sample data without \
            running anything. Hidden: scripts/sample-reports calls it with fixtures/reports/sample-summary.json.

            Example:
              rsbench report reports/latest/summary.json --reports /tmp/rerendered
            """,
        shouldDisplay: false
    )

    @Argument(help: "summary.json files or report folders.") var summaries: [String]
    @Option(help: "Where the report folders go (a folder per run, and `latest`).") var reports: String = "reports"

    func run() throws {
        try requireWritable(OutputPath(flag: "--reports", path: reports, kind: .folder))
        let directory = ReportDirectory(root: URL(fileURLWithPath: reports))
        for path in summaries {
            let report: RunReport
            do { report = try RunReport.load(from: URL(fileURLWithPath: path)) } catch { throw ValidationError("\(path): \(error)") }
            let written = try directory.write(report)
            print("\(path) → \(written.directory.path)/ (\(written.files.map(\.lastPathComponent).joined(separator: ", ")))")
        }
    }
}
