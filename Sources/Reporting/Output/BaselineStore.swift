import Foundation

/// Kept run sets under `reports/baselines/<name>/` (tracked in git, unlike the rest of `reports/`), which
/// `rsbench run --baseline <name>` gates a new run against and `--save-baseline <name>` writes.
public struct BaselineStore: Sendable {
    /// `reports/baselines`.
    public var root: URL

    public init(root: URL) {
        self.root = root
    }

    /// The store inside a `reports/` folder.
    public init(reports: URL) {
        self.init(root: reports.appendingPathComponent("baselines", isDirectory: true))
    }

    public func folder(_ name: String) -> URL {
        root.appendingPathComponent(name, isDirectory: true)
    }

    /// A baseline name is one plain path segment, so `--baseline ../x` cannot reach outside the store.
    public static func checkName(_ name: String, flag: String) throws(RunSetError) {
        let allowed = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
        guard !name.isEmpty, allowed, name != ".", name != ".." else { throw .badBaselineName(flag: flag, name: name) }
    }

    /// Every run of baseline `name`, checked to be runs of `scenario`; read before a gated run starts, so a missing or
    /// wrong baseline costs no load.
    public func load(_ name: String, scenario: String, flag: String = "--baseline") throws(RunSetError) -> [RunReport] {
        try Self.checkName(name, flag: flag)
        let dir = folder(name)
        guard FileManager.default.fileExists(atPath: dir.path) else { throw .missingBaseline(flag: flag, name: name, path: dir.path) }
        let runs: [RunReport]
        do { runs = try RunSetDirectory.load(from: dir) } catch {
            throw .unreadableBaseline(flag: flag, path: dir.path, reason: String(describing: error))
        }
        let names = Set(runs.map(\.scenario.name))
        guard names == [scenario] else { throw .baselineOfAnotherScenario(flag: flag, name: name, found: names.sorted(), expected: scenario) }
        return runs
    }

    /// Replaces baseline `name` with these runs (their `summary.json` only: it is what `compare` reads, and it keeps
    /// a committed baseline small).
    @discardableResult
    public func save(_ reports: [RunReport], as name: String, flag: String = "--save-baseline") throws -> URL {
        try Self.checkName(name, flag: flag)
        let dir = folder(name)
        try? FileManager.default.removeItem(at: dir)
        let set = RunSetDirectory(directory: dir, writers: [SummaryJSONWriter()])
        for (i, r) in reports.enumerated() { try set.append(r, number: i + 1) }
        return dir
    }
}
