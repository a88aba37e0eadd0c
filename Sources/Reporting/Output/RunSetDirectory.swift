import Foundation

/// A folder of repeated runs of one scenario (`rsbench run --repeat N`, or a kept baseline): `run-1/ … run-N/`, each a
/// report folder, and `runs.json` listing them, so `compare` and `run --baseline` read the whole set as one side.
public struct RunSetDirectory: Sendable {
    public static let indexFileName = "runs.json"
    public static let schema = "rsbench.runs/1"

    /// `runs.json`: the runs in order, with each one's outcome.
    public struct Index: Codable, Sendable, Equatable {
        /// One run of the set.
        public struct Entry: Codable, Sendable, Equatable {
            /// The run's folder, relative to the set folder.
            public var folder: String
            public var status: Verdict.Status
            public var startedAt: Date
        }

        public var schema = RunSetDirectory.schema
        public var scenario: String
        public var runs: [Entry]
    }

    /// The set folder.
    public var directory: URL
    /// What each run folder gets; a kept baseline needs only `summary.json`.
    public var writers: [any ReportWriter]

    public init(directory: URL, writers: [any ReportWriter] = StandardWriters.all) {
        self.directory = directory
        self.writers = writers
    }

    /// `<UTC start time>-<scenario>-x<N>`, next to the single-run folders under `reports/`; named before the first run
    /// ends so each run can be written as soon as it does.
    public static func directoryName(scenario: String, startedAt: Date, count: Int) -> String {
        ReportDirectory.directoryName(scenario: scenario, startedAt: startedAt) + "-x\(count)"
    }

    /// The folder of run `number` (from 1).
    public static func runFolderName(_ number: Int) -> String { "run-\(number)" }

    /// Writes one run into `run-<number>/` and lists it in `runs.json`; called after each run, so a set cut short by
    /// Ctrl-C still holds (and lists) every run that finished.
    @discardableResult
    public func append(_ report: RunReport, number: Int) throws -> URL {
        let folder = Self.runFolderName(number)
        let dir = directory.appendingPathComponent(folder, isDirectory: true)
        try ReportDirectory(root: directory, writers: writers).writeFiles(report, into: dir)
        var index = (try? Self.index(in: directory)) ?? Index(scenario: report.scenario.name, runs: [])
        index.runs.removeAll { $0.folder == folder }
        index.runs.append(Index.Entry(folder: folder, status: report.verdict.status, startedAt: report.startedAt))
        try ReportDirectory.writeFile(Array(try SummaryCoding.encoder().encode(index)) + [0x0A], to: directory.appendingPathComponent(Self.indexFileName))
        return dir
    }

    /// Writes `comparison.md` and `comparison.json` (the `compare --json` document) into `dir`.
    public static func writeComparison(_ comparison: ComparisonReport, into dir: URL) throws {
        try ReportDirectory.writeFile(Array(comparison.markdown().utf8), to: dir.appendingPathComponent("comparison.md"))
        try ReportDirectory.writeFile(Array(try comparison.json()) + [0x0A], to: dir.appendingPathComponent("comparison.json"))
    }

    /// Writes the set's own `report.md`: one line per run and, when the set was gated, the comparison table.
    public func writeSummary(_ reports: [RunReport], comparison: ComparisonReport?) throws {
        var s = ["# rsbench run `\(reports.first?.scenario.name ?? "?")` × \(reports.count)", ""]
        s.append(Markup.mdTable(["run", "status", "why"], reports.enumerated().map { i, r in
            [Self.runFolderName(i + 1), r.verdict.status.rawValue, r.verdict.reasons.joined(separator: "; ")]
        }))
        s.append("")
        s.append("Each run's full report is in its folder; `rsbench compare` reads this folder as one side (runs.json).")
        if let comparison { s += ["", comparison.markdown()] }
        try ReportDirectory.writeFile(Array((s.joined(separator: "\n") + "\n").utf8), to: directory.appendingPathComponent("report.md"))
    }

    /// Every run of a set folder, in order; a report folder or a summary.json is a set of one.
    public static func load(from url: URL) throws -> [RunReport] {
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent(indexFileName).path) else {
            return [try RunReport.load(from: url)]
        }
        return try index(in: url).runs.map { try RunReport.load(from: url.appendingPathComponent($0.folder, isDirectory: true)) }
    }

    static func index(in dir: URL) throws -> Index {
        let file = dir.appendingPathComponent(indexFileName)
        guard let data = FileManager.default.contents(atPath: file.path) else { throw ReportingError.unreadableFile(path: file.path) }
        let index: Index
        do { index = try SummaryCoding.decoder().decode(Index.self, from: data) } catch {
            throw ReportingError.undecodableRunSet(path: file.path, underlying: String(describing: error))
        }
        guard index.schema == schema else { throw ReportingError.unsupportedSchema(found: index.schema, expected: schema) }
        return index
    }
}
