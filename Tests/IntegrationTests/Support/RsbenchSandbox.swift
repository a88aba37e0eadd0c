import Foundation
import LocalStack
import XCTest

/// A real `rsbench` invocation's surroundings for a test: the debug binary, a temporary folder, and an environment whose
/// local stack has its own home and free loopback ports (so it never meets another test's or a developer's stack).
struct RsbenchSandbox {
    let binary: String
    let dir: String
    let env: [String: String]

    /// Skips the test when the executables have not been built.
    init(_ name: String) throws {
        binary = TestStack.projectRoot + "/.build/debug/rsbench"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary), "build the executables first (`swift build`)")
        dir = NSTemporaryDirectory() + "rsbench-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var env = ProcessInfo.processInfo.environment
        env["RSBENCH_HOME"] = dir + "/home"
        env["NATS_PORT"] = String(LoopbackProbe.freePort())
        env["NATS_MONITOR_PORT"] = String(LoopbackProbe.freePort())
        env["CLICKHOUSE_PORT"] = String(LoopbackProbe.freePort())
        for k in ["NATS_URL", "CLICKHOUSE_URL", "CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD", "CHDB_SERVER_USER", "CHDB_SERVER_PASSWORD"] { env.removeValue(forKey: k) }
        self.env = env
    }

    /// Writes a scenario file into the folder; returns its path.
    func scenario(_ name: String, _ yaml: String) throws -> String {
        let path = dir + "/\(name).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Starts `rsbench <args>` with its output in `output` (a path in the folder).
    func start(_ args: [String], output: String) throws -> pid_t {
        try Spawned.start(binary, args, env: env, cwd: TestStack.projectRoot, output: output)
    }

    /// Stops the stack a run left behind (one killed by a timeout): exactly the one recorded in this sandbox's home.
    func stackDown() {
        if let down = try? Spawned.start(binary, ["stack", "down"], env: env, cwd: TestStack.projectRoot) { _ = Spawned.wait(down, timeout: .seconds(60)) }
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }
}
