import Foundation
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
        env = IsolatedStack.environment(home: dir + "/home")
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
    func stackDown() { IsolatedStack.down(binary, env: env) }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }
}
