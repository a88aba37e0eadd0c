import Foundation
import Reporting
import Testing

/// `OutputPath.check` on real paths in a temporary folder: each way an output cannot be written is refused, naming
/// the flag, and nothing is left behind.
@Suite final class OutputPathTests {
    let dir: String

    init() throws {
        dir = NSTemporaryDirectory() + "outputpath-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/existing.json"))
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func error(_ flag: String, _ path: String, _ kind: OutputPath.Kind) -> OutputPathError? {
        do { try OutputPath(flag: flag, path: path, kind: kind).check(); return nil } catch { return error }
    }

    @Test func writableFileAndFolderPass() throws {
        #expect(error("--out", dir + "/new.json", .file) == nil)
        #expect(error("--out", dir + "/existing.json", .file) == nil, "an existing file is overwritten")
        #expect(error("--reports", dir, .folder) == nil)
        #expect(error("--reports", dir + "/a/b/c", .folder) == nil, "missing folders are created by the command")
        #expect(!FileManager.default.fileExists(atPath: dir + "/a"), "the check creates nothing")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(left == ["existing.json"], "the write probe is removed: \(left)")
    }

    @Test func folderGivenForAFileNamesTheFlag() {
        #expect(error("--out", dir, .file) == .directoryGiven(flag: "--out", path: dir))
        #expect(error("--json", dir + "/", .file) == .directoryGiven(flag: "--json", path: dir + "/"))
        #expect(error("--out", dir, .file)?.description.contains("--out \(dir): is a folder; expected a file name") == true)
    }

    @Test func missingParentFolderIsNamed() {
        let e = error("--markdown", dir + "/nope/plan.md", .file)
        #expect(e == .missingFolder(flag: "--markdown", path: dir + "/nope/plan.md", folder: dir + "/nope"))
        #expect(e?.description.hasPrefix("--markdown ") == true)
    }

    @Test func fileUsedAsAFolderIsRefused() {
        #expect(error("--out", dir + "/existing.json/x.json", .file) == .notAFolder(flag: "--out", path: dir + "/existing.json/x.json", folder: dir + "/existing.json"))
        #expect(error("--reports", dir + "/existing.json", .folder) == .fileGiven(flag: "--reports", path: dir + "/existing.json"))
        #expect(error("--reports", dir + "/existing.json/sub", .folder) == .notAFolder(flag: "--reports", path: dir + "/existing.json/sub", folder: dir + "/existing.json"))
    }

    @Test func unwritableFolderIsRefusedEvenForRoot() {
        // /proc takes no new files, whoever asks (access(2) would say yes to root).
        guard case .notWritable(let flag, _, let folder, _)? = error("--out", "/proc/rsbench-out.json", .file) else {
            Issue.record("expected notWritable for /proc")
            return
        }
        #expect(flag == "--out")
        #expect(folder == "/proc")
        guard case .notWritable? = error("--reports", "/proc/rsbench-reports", .folder) else {
            Issue.record("expected notWritable for a folder under /proc")
            return
        }
    }

    @Test func emptyPathIsRefused() {
        #expect(error("--out", "", .file) == .empty(flag: "--out"))
    }

    @Test func firstProblemOfSeveralIsThrown() {
        let paths = [OutputPath(flag: "--json", path: dir + "/ok.json", kind: .file), OutputPath(flag: "--markdown", path: dir, kind: .file)]
        #expect(throws: OutputPathError.directoryGiven(flag: "--markdown", path: dir)) { try paths.check() }
    }
}
