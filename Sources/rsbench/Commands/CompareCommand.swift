import ArgumentParser
import Foundation
import Reporting

/// `rsbench compare <baseline> <candidate>`: regressions beyond noise, as Markdown or JSON.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two runs (or two sets of repeated runs) metric by metric and flag regressions beyond noise.",
        discussion: """
            Each side is a report folder, a summary.json, a folder of repeated runs (`rsbench run --repeat N`, or a \
            baseline under reports/baselines/), or several of these joined with commas.

            The rule follows from the run counts. A two-sided Mann–Whitney U test (SciPy's method: exact without ties \
            while one side has at most 8 runs, else the normal approximation) can never give p below 2 / C(n1+n2, n1): \
            3 vs 3 runs stop at p = 0.1. So when that bound is not below --alpha, each metric is judged by the tolerance \
            band on medians instead (default ±10 %, per metric prefix with --tolerance), and the output says so. Otherwise \
            a metric must differ by the test (p < α) and by at least the minimum effect (5 %, or its tolerance). At α 0.05 \
            that takes at least 4 runs a side; the output's power note says how much overlap the counts tolerate.
            Direction is known per metric: lower latency and CPU are better, higher throughput is better.
            Exit code 1 when any metric regressed.

            --json prints the result as one JSON document (schema rsbench.compare/1, see docs/summary-schema.md): \
            scenario, run counts, regression (true/false), rule (kind mann-whitney or tolerance-band, alpha, \
            minimumPValue, minimumRunsPerSide, maxPairsOutOfOrder, statement, powerNote), metrics (metric, unit, \
            direction, baseline and candidate values, medians, changePercent, method, pValue, thresholdPercent, \
            verdict) and unmatched.

            Examples:
              rsbench compare reports/20261122T101500Z-baseline reports/latest
              rsbench compare a1,a2,a3,a4 b1,b2,b3,b4 --tolerance e2e_lag=15
              rsbench compare reports/baselines/ci reports/latest --json
              rsbench compare reports/baselines/ci reports/latest --only cpu_us_per_event
            """
    )

    @Argument(help: "Baseline report folder(s), summary.json or run-set folder, comma-separated for repeated runs.") var baseline: String
    @Argument(help: "Candidate report folder(s), summary.json or run-set folder, comma-separated.") var candidate: String
    @OptionGroup var flags: CompareFlags
    @Flag(help: "Print the result as JSON (schema rsbench.compare/1) instead of Markdown.") var json = false
    @Option(help: "Write what is printed (Markdown, or JSON with --json) to this file as well.") var out: String?

    func run() throws {
        try requireWritable(out.output("--out"))
        let a = try ReportPaths.load(baseline), b = try ReportPaths.load(candidate)
        let result = try RunComparator(options: try flags.options()).compare(baseline: a, candidate: b)
        let text = json ? String(decoding: try result.json(), as: UTF8.self) + "\n" : result.markdown()
        print(text, terminator: json ? "" : "\n")
        if let out { try text.write(toFile: out, atomically: true, encoding: .utf8) }
        if result.hasRegression { throw ExitCode(1) }
    }
}
