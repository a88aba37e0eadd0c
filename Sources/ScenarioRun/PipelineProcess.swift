import Foundation
import LocalStack
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

/// The pipeline counters rsbench reads each second from Prometheus text.
public struct PipelineMetrics: Sendable {
    public var rowsByTable: [String: Double] = [:]
    public var pendingByConsumer: [String: Double] = [:]
    public var ackPendingByConsumer: [String: Double] = [:]
    public var receivedByConsumer: [String: Double] = [:]
    public var deadLettered: Double = 0
    /// Order-book sequence gaps the market normaliser detected (each forces a resync).
    public var sequenceGaps: Double = 0

    public init(prometheusText: String) {
        for line in prometheusText.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let name = line[..<space]
            func label(_ key: String) -> String? {
                guard let r = name.range(of: "\(key)=\"") else { return nil }
                return String(name[r.upperBound...].prefix { $0 != "\"" })
            }
            if name.hasPrefix("risksignal_rows_inserted_total"), let t = label("table") { rowsByTable[t, default: 0] += value }
            else if name.hasPrefix("risksignal_consumer_pending"), let c = label("consumer") { pendingByConsumer[c] = value }
            else if name.hasPrefix("risksignal_consumer_ack_pending"), let c = label("consumer") { ackPendingByConsumer[c] = value }
            else if name.hasPrefix("risksignal_messages_received_total"), let c = label("consumer") { receivedByConsumer[c] = value }
            else if name.hasPrefix("risksignal_dlq_total") { deadLettered += value }
            else if name.hasPrefix("risksignal_market_sequence_gaps_total") { sequenceGaps += value }
        }
    }

    public var totalRows: Double { rowsByTable.values.reduce(0, +) }
}

/// A run that could not start or finish, with what to do about it.
public enum RunError: Error, CustomStringConvertible {
    case setup(String)
    case invalidScenario(String)

    public var description: String {
        switch self {
        case .setup(let m), .invalidScenario(let m): m
        }
    }
}
