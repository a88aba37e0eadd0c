import Foundation
import LocalStack
import RiskSignalCore

/// Where a command sends its load: the servers named by flags, the scenario or the environment (`NATS_URL`,
/// `CLICKHOUSE_URL`), or else the local stack on loopback, started when it is not already up.
///
/// One resolution for `run`, `replay`, `search`, `record` and `bench`, so every command reads the same variables.
public struct RunTarget: Sendable {
    /// Which servers a command needs; a NATS-only command never starts or waits for ClickHouse.
    public enum Needs: Sendable { case natsOnly, natsAndClickHouse }

    /// The servers to use, credentials and TLS settings included.
    public var connection: ConnectionConfig
    /// The local stack, when the command uses it.
    public var localStack: LocalStack?
    /// The local stack when this command started it, so that it stops it again.
    public var startedStack: LocalStack?

    public var isLocal: Bool { localStack != nil }

    /// Resolves the target: flags first, then the scenario's `target:`, then the environment, then the local stack.
    public static func resolve(natsURL: String? = nil, clickHouseURL: String? = nil, natsNodes: Int? = nil, environment env: [String: String],
                               projectRoot: String?, needs: Needs = .natsAndClickHouse, startLocal: Bool = true,
                               log: (String) -> Void = { _ in }) throws -> RunTarget {
        var c = try ConnectionConfig.fromEnvironment(env)
        let nats = natsURL ?? env["NATS_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let clickHouse = clickHouseURL ?? env["CLICKHOUSE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let explicit = needs == .natsOnly ? nats != nil : (nats != nil || clickHouse != nil)
        if explicit {
            if let natsURL { c.natsURLs = try ConnectionConfig.parseNATSURLs(natsURL, source: "--nats-url") }
            if let clickHouseURL { try c.setClickHouseURL(clickHouseURL, source: "--clickhouse-url") }
            return RunTarget(connection: c)
        }
        guard let projectRoot else {
            throw RunError.setup("no --nats-url/--clickhouse-url (or NATS_URL/CLICKHOUSE_URL) given, and no project checkout found to start the local stack from")
        }
        var stackConfig = try StackConfig.fromEnvironment(env, projectRoot: projectRoot)
        if let natsNodes { try stackConfig.setNATSNodes(natsNodes, source: "stack.nats_nodes") }
        let stack = LocalStack(config: stackConfig)
        c.natsURLs = stack.config.natsURLs
        c.clickHouseURL = stack.config.clickHouseURL
        var target = RunTarget(connection: c, localStack: stack)
        guard startLocal else { return target }
        let wasUp = needs == .natsOnly ? stack.natsHealthy() : stack.natsHealthy() && stack.clickHouseHealthy()
        // `up` is idempotent, and says what it found; a NATS-only command leaves a running NATS alone.
        if needs == .natsAndClickHouse || !wasUp { try stack.up(log: log) }
        if !wasUp { target.startedStack = stack }
        return target
    }

    /// Stops the local stack if this command started it (and `keep` is false).
    public func stopStartedStack(keep: Bool = false, log: (String) -> Void = { _ in }) {
        guard let s = startedStack, !keep else { return }
        s.down()
        log("stopped the local stack it started")
    }
}
