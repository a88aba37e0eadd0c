import Foundation
import LocalStack
import Pipeline
import RiskSignalCore
import Scenario
import StandIns
import Synchronization

/// Starts the real pipeline (`risksignal run`) for a scenario as its own process, with rsbench's own webhook receiver
/// as the alert endpoint, and hands its settings over through the `RS_*` contract of `PipelineEnvironment`.
struct PipelineLauncher: Sendable {
    var scenario: Scenario
    var connection: ConnectionConfig
    var database: String
    var projectRoot: String
    var say: @Sendable (String) -> Void

    /// The pipeline process and the receiver that measures alert latency.
    struct Launched: Sendable {
        var process: PipelineProcess
        var receiver: WebhookReceiver
        var consumers: [String]
    }

    /// The variables the pipeline child gets: the scenario's batching, and where and how to deliver alerts.
    /// The pipeline process may not share rsbench's working directory: hand it a path that does not depend on one.
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
    }

    static func environment(for pipeline: Scenario.PipelineSettings, webhookURL: String, secret: String) -> PipelineEnvironment {
        var env = PipelineEnvironment()
        env.piiSalt = "rsbench"
        env.webhookURLs = [webhookURL]
        env.webhookSecret = secret
        env.batchSize = pipeline.batchSize
        env.maxWait = pipeline.maxWait
        // Short batches for social so its rows arrive within the run (the production default waits a minute).
        if env.maxWait[FeedKind.social.consumerName] == nil { env.maxWait[FeedKind.social.consumerName] = .seconds(1) }
        return env
    }

    /// Starts the receiver (its task goes into `receiverTask` at once, so clean-up can stop it) and then the pipeline.
    func launch(consumers: [String], receiverTask: inout Task<Void, Error>?) async throws -> Launched {
        // A fresh secret per run: the pipeline signs every alert with it and the receiver checks it.
        let secret = "rsbench-" + (0..<4).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16) }.joined()
        let receiver = WebhookReceiver(secret: secret)
        let port = Mutex<Int?>(nil)
        receiverTask = Task { try await receiver.run(onListening: { p in port.withLock { $0 = p } }) }
        let waitUntil = ContinuousClock.now + .seconds(10)
        while port.withLock({ $0 }) == nil && ContinuousClock.now < waitUntil { try await Task.sleep(for: .milliseconds(20)) }
        guard let hookPort = port.withLock({ $0 }) else { throw RunError.setup("the webhook receiver did not start") }
        guard let binary = PipelineProcess.locateBinary() else {
            throw RunError.setup("cannot find the risksignal executable next to rsbench; build both with `swift build -c release`")
        }
        let env = Self.environment(for: scenario.pipeline, webhookURL: "http://127.0.0.1:\(hookPort)/alerts", secret: secret)
        let logDir = (projectRoot as NSString).appendingPathComponent(".rsbench/logs")
        try? FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: true)
        let metricsPort = LoopbackProbe.freePort()
        let process = try PipelineProcess(
            binary: binary,
            arguments: ["--only", consumers.joined(separator: ","), "--database", database,
                        "--sentiment", scenario.pipeline.sentiment, "--log-level", "warning"]
                + (scenario.pipeline.policy.map { ["--policy", Self.absolute(WorkloadFactory.resolve($0, scenarioFile: scenario.file))] } ?? []),
            // Servers and credentials by environment, never argv: /proc/<pid>/cmdline is readable by every user.
            environment: connection.environmentVariables.merging(env.variables) { _, rs in rs }, metricsPort: metricsPort, log: (logDir as NSString).appendingPathComponent("pipeline.log"))
        say("[run] pipeline up (pid \(process.pid), consumers \(consumers.joined(separator: ",")), metrics http://127.0.0.1:\(metricsPort)/metrics)")
        return Launched(process: process, receiver: receiver, consumers: consumers)
    }
}
