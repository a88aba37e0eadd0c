import Foundation
import Reporting

/// Where `rsbench run` puts its reports: one folder for a single run, a run-set folder for `--repeat N` (each run
/// written as soon as it ends), and the comparison with a baseline next to them.
struct RunOutput: Sendable {
    var reportsDir: String
    var count: Int
    var enabled: Bool
    /// The `--repeat` folder, named before the first run so each run lands in it as it ends.
    var set: RunSetDirectory?

    init(reportsDir: String, count: Int, scenario: String, write: Bool) {
        self.reportsDir = reportsDir
        self.count = count
        self.enabled = write
        if count > 1 {
            let name = RunSetDirectory.directoryName(scenario: scenario, startedAt: Date(), count: count)
            set = RunSetDirectory(directory: URL(fileURLWithPath: reportsDir).appendingPathComponent(name, isDirectory: true))
        }
    }

    var root: ReportDirectory { ReportDirectory(root: URL(fileURLWithPath: reportsDir)) }

    /// Writes one run's report; returns its folder (nil when reports are off or could not be written).
    @discardableResult
    func write(_ report: RunReport, number: Int) -> String? {
        guard enabled else { return nil }
        var folder: String?
        attempt {
            if let set {
                let dir = try set.append(report, number: number)
                folder = dir.path
                print("report: \(dir.path)/report.html (run \(number) of \(count))")
            } else {
                let written = try root.write(report)
                folder = written.directory.path
                print("report: \(written.directory.path)/report.html (also report.md, summary.json, junit.xml; \(reportsDir)/latest)")
            }
        }
        return folder
    }

    /// The set's own report.md and `latest`, and comparison.md/json wherever the runs are.
    func finish(_ reports: [RunReport], comparison: ComparisonReport?) {
        guard enabled, let first = reports.first else { return }
        attempt {
            if let set {
                try set.writeSummary(reports, comparison: comparison)
                if let comparison { try RunSetDirectory.writeComparison(comparison, into: set.directory) }
                try root.markLatest(set.directory.lastPathComponent)
                print("runs: \(set.directory.path) (run-1 … run-\(reports.count), runs.json, report.md; \(reportsDir)/latest)")
            } else if let comparison {
                try RunSetDirectory.writeComparison(comparison, into: root.root.appendingPathComponent(ReportDirectory.directoryName(for: first)))
            }
        }
    }

    /// A report that cannot be written is said, not fatal: the run's outcome and exit code stand.
    func attempt(_ body: () throws -> Void) {
        do { try body() } catch { print("could not write the report under \(reportsDir): \(error)") }
    }
}
