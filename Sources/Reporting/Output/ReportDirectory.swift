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
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let safe = String(report.scenario.name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
        return "\(f.string(from: report.startedAt))-\(safe.isEmpty ? "scenario" : safe)"
    }

    @discardableResult
    public func write(_ report: RunReport) throws -> Written {
        let fm = FileManager.default
        let name = Self.directoryName(for: report)
        let dir = root.appendingPathComponent(name, isDirectory: true)
        do {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw ReportingError.cannotCreateDirectory(path: dir.path, reason: error.localizedDescription)
        }
        var files: [URL] = []
        for writer in writers {
            let url = dir.appendingPathComponent(writer.fileName)
            let bytes = try writer.render(report)
            do {
                try Data(bytes).write(to: url, options: .atomic)
            } catch {
                throw ReportingError.cannotWriteFile(path: url.path, reason: error.localizedDescription)
            }
            files.append(url)
        }
        let symlinked = pointLatest(at: name)
        if !symlinked {
            let txt = root.appendingPathComponent("latest.txt")
            do {
                try Data((name + "\n").utf8).write(to: txt, options: .atomic)
            } catch {
                throw ReportingError.cannotWriteFile(path: txt.path, reason: error.localizedDescription)
            }
        }
        return Written(directory: dir, files: files, latestIsSymlink: symlinked)
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
