/// Problems with `rsbench run --repeat/--baseline/--save-baseline` and the folders they read; each message names the
/// flag, what was given and what was expected, and all of them are raised before any load is sent.
public enum RunSetError: Error, Equatable, CustomStringConvertible {
    case badRepeat(String)
    case outWithRepeat(path: String)
    case badBaselineName(flag: String, name: String)
    case missingBaseline(flag: String, name: String, path: String)
    case unreadableBaseline(flag: String, path: String, reason: String)
    case baselineOfAnotherScenario(flag: String, name: String, found: [String], expected: String)
    case nothingToSave(flag: String, name: String, statuses: [String])

    public var description: String {
        switch self {
        case .badRepeat(let v):
            "--repeat \(v): expected a whole number of runs from 1 to \(Self.maxRepeat), like --repeat 4"
        case .outWithRepeat(let path):
            "--out \(path) with --repeat: --out takes one run's summary.json; a repeated run writes every run and runs.json into its report folder instead"
        case .badBaselineName(let flag, let name):
            "\(flag) \(name): expected a plain name like ci (letters, digits, '-', '_', '.'), kept as reports/baselines/<name>/"
        case .missingBaseline(let flag, let name, let path):
            "\(flag) \(name): \(path) does not exist; expected a kept baseline there. Keep one with `rsbench run <scenario> --repeat 4 --save-baseline \(name)`"
        case .unreadableBaseline(let flag, let path, let reason):
            "\(flag): cannot read the baseline in \(path): \(reason)"
        case .baselineOfAnotherScenario(let flag, let name, let found, let expected):
            "\(flag) \(name): the baseline holds runs of \(found.joined(separator: ", ")), not of scenario \(expected); expected a baseline of the same scenario"
        case .nothingToSave(let flag, let name, let statuses):
            "\(flag) \(name): not saved, because not every run is a valid measurement (\(statuses.joined(separator: ", "))); a baseline takes only runs that passed or failed their gates, never invalid, errored or aborted ones"
        }
    }

    /// The most runs one `--repeat` takes: enough for any test, and a bound on a typo like `--repeat 400`.
    public static let maxRepeat = 50
}
