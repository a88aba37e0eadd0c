import ArgumentParser
import Reporting

/// The verdict knobs `rsbench compare` and `rsbench run --baseline` share, parsed by one `CompareOptions.parse`.
struct CompareFlags: ParsableArguments {
    @Option(help: "Tolerance band in percent for a metric prefix, like e2e_lag=15 (repeatable); also the minimum effect the test needs for those metrics.")
    var tolerance: [String] = []
    @Option(help: "Tolerance band in percent for metrics without their own --tolerance.") var defaultTolerance: Double = 10
    @Option(help: "Compare only metrics under these prefixes, comma-separated or repeated, like insert_rows_per_s,cpu_us_per_event.stack (default: every metric).")
    var only: [String] = []
    @Option(help: "Significance level of the Mann–Whitney U test; the fewest runs a side it can work with follows from it (4 at 0.05, 5 at 0.01).")
    var alpha: Double = 0.05

    func options() throws -> CompareOptions {
        do { return try CompareOptions.parse(tolerances: tolerance, defaultTolerance: defaultTolerance, only: only, alpha: alpha) } catch {
            throw ValidationError(error.description)
        }
    }
}
