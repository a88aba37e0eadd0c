import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates `reports/<yyyyMMdd'T'HHmmss'Z'>-<scenario>/`, writes every output there and points `reports/latest` at it.
public struct ReportDirectory: Sendable {
    /// The `reports/` folder.
    public var root: URL
    public var writers: [any ReportWriter]

    /// What `write` produced.
    public struct Written: Sendable, Equatable {
        public var directory: URL
        public var files: [URL]
        /// True when `latest` is a symlink; false when the fallback `latest.txt` was written.
        public var latestIsSymlink: Bool
    }

    public init(root: URL, writers: [any ReportWriter] = StandardWriters.all) {
        self.root = root
        self.writers = writers
    }

    /// The directory name for a report: UTC start time then a file-system-safe scenario name.
    public static func directoryName(for report: RunReport) -> String {
        directoryName(scenario: report.scenario.name, startedAt: report.startedAt)
    }

    /// The same name from its parts, for a folder named before its run ends (`rsbench run --repeat`).
    public static func directoryName(scenario: String, startedAt: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let safe = String(scenario.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
        return "\(f.string(from: startedAt))-\(safe.isEmpty ? "scenario" : safe)"
    }

    @discardableResult
    public func write(_ report: RunReport) throws -> Written {
        let name = Self.directoryName(for: report)
        let dir = root.appendingPathComponent(name, isDirectory: true)
        let files = try writeFiles(report, into: dir)
        return Written(directory: dir, files: files, latestIsSymlink: try markLatest(name))
    }

    /// Writes every output of `report` into `dir` (created if missing), without touching `latest`.
    @discardableResult
    public func writeFiles(_ report: RunReport, into dir: URL) throws -> [URL] {
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw ReportingError.cannotCreateDirectory(path: dir.path, reason: error.localizedDescription)
        }
        var files: [URL] = []
        for writer in writers {
            let url = dir.appendingPathComponent(writer.fileName)
            try Self.writeFile(try writer.render(report), to: url)
            files.append(url)
        }
        return files
    }

    /// Points `latest` at `name` (a folder under `root`); true for a symlink, false when `latest.txt` was written instead.
    @discardableResult
    public func markLatest(_ name: String) throws -> Bool {
        if pointLatest(at: name) { return true }
        try Self.writeFile(Array((name + "\n").utf8), to: root.appendingPathComponent("latest.txt"))
        return false
    }

    /// One atomic file write, its failure a `ReportingError` that names the file.
    static func writeFile(_ bytes: [UInt8], to url: URL) throws {
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw ReportingError.cannotWriteFile(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Makes a relative symlink under a temporary name, then renames it over `latest`:
    /// rename(2) replaces atomically, so a reader never sees `latest` missing.
    private func pointLatest(at name: String) -> Bool {
        let tmp = root.appendingPathComponent(".latest.\(UUID().uuidString)").path
        let latest = root.appendingPathComponent("latest").path
        guard symlink(name, tmp) == 0 else { return false }
        guard rename(tmp, latest) == 0 else {
            // e.g. `latest` is a real directory left by hand: keep it, use latest.txt instead.
            unlink(tmp)
            return false
        }
        return true
    }
}
