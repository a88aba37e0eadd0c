import Foundation
import Testing

/// The debug rsbench these tests run.
private let rsbenchBinary = TestStack.projectRoot + "/.build/debug/rsbench"

/// Every rsbench command that writes a file refuses an output it cannot write before it does any work (no stack
/// started, no report read, no scenario run), with a usage error that names the flag and what was expected.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: rsbenchBinary), "build the executables first (`swift build`)"))
final class OutputPathCommandTests {
    let dir: String
    let file: String

    init() throws {
        dir = NSTemporaryDirectory() + "outputs-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        file = dir + "/a-file"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// Runs rsbench with `args` from the project root; its exit code and everything it printed. A command that started
    /// work instead of refusing would not exit within the bound and is killed (nil exit code).
    func rsbench(_ args: [String]) throws -> (code: Int32?, output: String) {
        let log = dir + "/out-\(UInt32.random(in: 0...UInt32.max)).txt"
        var env = ProcessInfo.processInfo.environment
        env["RSBENCH_HOME"] = dir + "/home"
        let pid = try Spawned.start(rsbenchBinary, args, env: env, cwd: TestStack.projectRoot, output: log)
        let code = Spawned.wait(pid, timeout: .seconds(30))
        return (code, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// The command exits with a usage error (64) whose message starts with `expected`, and started nothing.
    func expectRefused(_ args: [String], _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (code, output) = try rsbench(args)
        #expect(code == 64, "exit code for \(args): \(String(describing: code))\n\(output)", sourceLocation: sourceLocation)
        #expect(output.contains(expected), "\(args) printed:\n\(output)", sourceLocation: sourceLocation)
        #expect(!output.contains("[stack]") && !output.contains("[run]") && !output.contains("[record]"), "no work started:\n\(output)",
                sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: dir + "/home"), "nothing was made under RSBENCH_HOME", sourceLocation: sourceLocation)
    }

    @Test func runRefusesAFolderForOutAndAFileForReports() throws {
        try expectRefused(["run", "scenarios/ci.yaml", "--out", dir], "--out \(dir): is a folder; expected a file name")
        try expectRefused(["run", "scenarios/ci.yaml", "--reports", file], "--reports \(file): is a file; expected a folder")
        try expectRefused(["run", "scenarios/ci.yaml", "--out", "/proc/rsbench-summary.json"], "--out /proc/rsbench-summary.json: cannot create files in /proc")
    }

    @Test func searchRefusesAFileForReportsAndBadProbeFlags() throws {
        try expectRefused(["search", "scenarios/ci.yaml", "--reports", file], "--reports \(file): is a file; expected a folder")
        try expectRefused(["search", "scenarios/ci.yaml", "--max-probes", "4"], "--max-probes 4: expected 6...1000")
        try expectRefused(["search", "scenarios/ci.yaml", "--probe-duration", "500ms"], "--probe-duration")
        try expectRefused(["search", "scenarios/ci.yaml", "--probe-duration", "soon"], "--probe-duration soon")
        try expectRefused(["search", "scenarios/ci.yaml", "--repeats", "1"], "--repeats 1: expected 3...15")
        try expectRefused(["search", "scenarios/ci.yaml", "--metrics-port", "70000"], "--metrics-port 70000: expected 0...65535")
    }

    @Test func planRefusesBadJSONAndMarkdownPathsBeforeReadingTheReport() throws {
        // The report does not exist either: the output is checked first.
        try expectRefused(["plan", dir + "/no-report", "--target-rate", "1000", "--json", dir], "--json \(dir): is a folder")
        try expectRefused(["plan", dir + "/no-report", "--target-rate", "1000", "--markdown", dir + "/missing/plan.md"],
                          "--markdown \(dir)/missing/plan.md: the folder \(dir)/missing does not exist")
    }

    @Test func compareRefusesAFolderForOut() throws {
        try expectRefused(["compare", dir + "/a", dir + "/b", "--out", dir], "--out \(dir): is a folder")
    }

    @Test func recordRefusesAnOutUnderAFile() throws {
        try expectRefused(["record", "market.>", "--out", file + "/capture.ndjson.zst"], "--out \(file)/capture.ndjson.zst: \(file) is a file, not a folder")
    }

    @Test func synthRefusesAFolderForOut() throws {
        try expectRefused(["synth", "trades", "--count", "10", "--out", dir], "--out \(dir): is a folder")
    }

    @Test func reportRefusesAFileForReports() throws {
        try expectRefused(["report", "fixtures/reports/sample-summary.json", "--reports", file], "--reports \(file): is a file")
    }

    @Test func stackUpRefusesAFileForHome() throws {
        try expectRefused(["stack", "up", "--home", file], "--home \(file): is a file; expected a folder")
    }

    @Test func benchRefusesAFolderForJSON() throws {
        try expectRefused(["bench", "limits", "--json", dir], "--json \(dir): is a folder")
        try expectRefused(["bench", "pipeline", "--json", dir], "--json \(dir): is a folder")
    }
}
