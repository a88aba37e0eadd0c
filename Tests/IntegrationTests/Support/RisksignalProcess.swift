import Foundation
import LocalStack
import XCTest

/// `risksignal run` as a child process on a test stack, reached through its `/metrics` port.
struct RisksignalProcess {
    let process: Process
    let metricsPort: Int

    static var binary: String { TestStack.projectRoot + "/.build/debug/risksignal" }

    /// Starts `risksignal run --only <only>` with the stack's URLs in the environment, as rsbench passes them.
    static func start(_ stack: TestStack, database: String, only: String, environment extra: [String: String], arguments more: [String] = []) throws -> RisksignalProcess {
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the executables first (`swift build`)") }
        let port = LoopbackProbe.freePort()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["run", "--only", only, "--metrics-port", String(port), "--database", database, "--max-wait", "0.2", "--log-level", "error"] + more
        var env = ProcessInfo.processInfo.environment
        env["NATS_URL"] = stack.stack.config.natsURL
        env["CLICKHOUSE_URL"] = stack.stack.config.clickHouseURL
        env.merge(extra) { _, new in new }
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return RisksignalProcess(process: p, metricsPort: port)
    }

    var isRunning: Bool { process.isRunning }

    /// The Prometheus text the process serves now, or "" while it is not answering.
    var metrics: String { LoopbackProbe.httpGet(host: "127.0.0.1", port: metricsPort, path: "/metrics")?.body ?? "" }

    /// SIGTERM, then waits: the exit status (a trap would end the process with a signal instead).
    func terminate() -> (reason: Process.TerminationReason, status: Int32) {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return (process.terminationReason, process.terminationStatus)
    }

    /// SIGKILL, as a crash: no batch finished, nothing acked on the way out.
    func crash() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// For `defer`: a process a failed test left running is killed.
    func killIfRunning() { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}
