/// Errors of the reporting module; each message says what to do about it.
public enum ReportingError: Error, Equatable, CustomStringConvertible {
    case unreadableFile(path: String)
    case undecodableSummary(underlying: String)
    case undecodableRunSet(path: String, underlying: String)
    case unsupportedSchema(found: String, expected: String)
    case cannotCreateDirectory(path: String, reason: String)
    case cannotWriteFile(path: String, reason: String)
    case noReports(side: String)
    case mixedScenarios(side: String, names: [String])
    case invalidPlanInput(String)

    public var description: String {
        switch self {
        case .unreadableFile(let path):
            "cannot read \(path): check the path exists and points at a summary.json or a report directory"
        case .undecodableSummary(let underlying):
            "summary.json is not valid rsbench JSON (\(underlying)); regenerate it with `rsbench run`"
        case .undecodableRunSet(let path, let underlying):
            "\(path) is not a valid rsbench run list (\(underlying)); it is written by `rsbench run --repeat` and `--save-baseline`"
        case .unsupportedSchema(let found, let expected):
            "summary.json has schema \"\(found)\" but this rsbench reads \"\(expected)\"; use a matching rsbench version"
        case .cannotCreateDirectory(let path, let reason):
            "cannot create report directory \(path): \(reason); check permissions and free space"
        case .cannotWriteFile(let path, let reason):
            "cannot write \(path): \(reason); check permissions and free space"
        case .noReports(let side):
            "no reports given for the \(side) side; pass at least one summary.json"
        case .mixedScenarios(let side, let names):
            "the \(side) reports come from different scenarios (\(names.joined(separator: ", "))); compare runs of one scenario"
        case .invalidPlanInput(let message):
            "cannot plan: \(message)"
        }
    }
}
