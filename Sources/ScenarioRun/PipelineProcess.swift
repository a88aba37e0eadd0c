import Foundation
import LocalStack
import Measurement
#if canImport(Glibc)
import Glibc
#endif

/// The real `risksignal run` process that a scenario drives, with its /metrics endpoint.
public final class PipelineProcess: @unchecked Sendable {
    let process: Process
    public let metricsPort: Int
    public let log: String

    /// Starts `risksignal run` from the same build as this rsbench, and waits for its metrics endpoint.
    public init(binary: String, arguments: [String], environment: [String: String], metricsPort: Int, log: String) throws {
        self.metricsPort = metricsPort
        self.log = log
        FileManager.default.createFile(atPath: log, contents: nil)
        guard let out = FileHandle(forWritingAtPath: log) else { throw RunError.setup("cannot write \(log)") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["run", "--metrics-port", String(metricsPort)] + arguments
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        p.standardOutput = out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { throw RunError.setup("cannot start \(binary): \(error)") }
        process = p
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if LoopbackProbe.httpGet(host: "127.0.0.1", port: metricsPort, path: "/healthz")?.status == 200 { return }
            if !p.isRunning { break }
            usleep(50_000)
        }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        throw RunError.setup("the pipeline did not come up; last lines of \(log):\n\(Self.tail(log))")
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Current counters from its /metrics endpoint.
    public func scrape() -> PipelineMetrics? {
        guard let r = LoopbackProbe.httpGet(host: "127.0.0.1", port: metricsPort, path: "/metrics", timeout: .seconds(2)), r.status == 200 else { return nil }
        return PipelineMetrics(prometheusText: r.body)
    }

    /// SIGTERM, then SIGKILL after `grace`; returns the exit status.
    @discardableResult
    public func stop(grace: Duration = .seconds(30)) -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    static func tail(_ path: String, lines: Int = 20) -> String {
        guard let t = try? String(contentsOfFile: path, encoding: .utf8) else { return "(no log)" }
        return t.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// The `risksignal` executable next to the running rsbench.
    public static func locateBinary() -> String? {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let candidate = ((me as NSString).deletingLastPathComponent as NSString).appendingPathComponent("risksignal")
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }
}
