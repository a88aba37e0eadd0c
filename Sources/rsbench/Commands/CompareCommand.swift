import ArgumentParser
import Foundation
import Reporting

/// `rsbench compare <baseline> <candidate>`: regressions beyond noise, as Markdown.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two runs (or two sets of repeated runs) metric by metric and flag regressions beyond noise.",
        discussion: """
            Each side is a report folder or summary.json, or several joined with commas (repeated runs). With 3 or \
            more runs per side a metric must differ by a Mann–Whitney U test (α 0.05) and by at least the minimum \
            effect; with fewer, by more than the tolerance band (default ±10 %, per metric prefix with --tolerance). \
            Direction is known per metric: lower latency and CPU are better, higher throughput is better.
            Exit code 1 when any metric regressed.

            Examples:
              rsbench compare reports/20261122T101500Z-baseline reports/latest
              rsbench compare a1,a2,a3 b1,b2,b3 --tolerance e2e_lag=15 --tolerance insert_rows_per_s=5
            """
    )

    @Argument(help: "Baseline report folder(s) or summary.json, comma-separated for repeated runs.") var baseline: String
    @Argument(help: "Candidate report folder(s) or summary.json, comma-separated.") var candidate: String
    @Option(help: "Tolerance band in percent for a metric prefix, like e2e_lag=15 (repeatable).") var tolerance: [String] = []
    @Option(help: "Default tolerance band in percent for single runs.") var defaultTolerance: Double = 10
    @Option(help: "Write the Markdown here as well.") var out: String?

    func run() throws {
        try requireWritable(out.output("--out"))
        var options = CompareOptions()
        options.defaultTolerancePercent = defaultTolerance
        for t in tolerance {
            let kv = t.split(separator: "=").map(String.init)
            guard kv.count == 2, let v = Double(kv[1]), v >= 0 else { throw ValidationError("--tolerance \(t): expected prefix=percent, like e2e_lag=15") }
            options.tolerances[kv[0]] = v
        }
        let a = try load(baseline), b = try load(candidate)
        let result = try RunComparator(options: options).compare(baseline: a, candidate: b)
        let md = result.markdown()
        print(md)
        if let out { try md.write(toFile: out, atomically: true, encoding: .utf8) }
        if result.hasRegression { throw ExitCode(1) }
    }

    func load(_ list: String) throws -> [RunReport] {
        try list.split(separator: ",").map { p in
            do { return try RunReport.load(from: URL(fileURLWithPath: String(p))) } catch {
                throw ValidationError("\(p): \(error)")
            }
        }
    }
}
