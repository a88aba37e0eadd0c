import Foundation
import RiskSignalCore

/// Where the local stack listens and keeps its data, and where its programs are.
public struct StackConfig: Sendable, Equatable {
    /// Loopback only: nothing we start listens elsewhere.
    public var host = "127.0.0.1"
    public var natsPort = 4222
    public var natsMonitorPort = 8222
    public var clickHousePort = 8123
    /// nats-server processes to run; above 1 they form a JetStream cluster over loopback routes (`--nats-cluster`).
    public var natsNodes = 1
    /// First cluster (route) port; node i listens on `natsClusterPort + i`, as its client and monitoring ports do.
    public var natsClusterPort = 6222
    /// The cluster name every node of a multi-node stack shares.
    public var natsClusterName = "rsbench"
    /// A real ClickHouse server to use instead of the chDB endpoint (`CLICKHOUSE_URL`).
    public var externalClickHouseURL: String?
    /// Data, logs and the PID record (default `.rsbench/` under the project root).
    public var home: String
    /// The checkout holding `stack/chdb_server.py`.
    public var projectRoot: String
    /// The virtualenv that `scripts/setup` made, holding nats-server and chDB.
    public var venv: String
    /// How long `up` waits for both servers to report healthy.
    public var startTimeout: Duration = .seconds(30)

    public init(projectRoot: String, home: String? = nil) {
        self.projectRoot = projectRoot
        self.home = home ?? (projectRoot as NSString).appendingPathComponent(".rsbench")
        self.venv = (projectRoot as NSString).appendingPathComponent(".rsbench/venv")
    }

    /// Flags win over environment: `RSBENCH_HOME`, `NATS_PORT`, `CLICKHOUSE_PORT`, `CLICKHOUSE_URL`.
    public static func fromEnvironment(_ env: [String: String], projectRoot: String) throws(StackError) -> StackConfig {
        var c = StackConfig(projectRoot: projectRoot, home: env["RSBENCH_HOME"].flatMap { $0.isEmpty ? nil : $0 })
        func port(_ key: String) throws(StackError) -> Int? {
            guard let v = env[key], !v.isEmpty else { return nil }
            guard let p = Int(v), (1...65535).contains(p) else { throw .invalidConfig("\(key)=\(v): expected a port number 1-65535") }
            return p
        }
        if let p = try port("NATS_PORT") { c.natsPort = p }
        if let p = try port("NATS_MONITOR_PORT") { c.natsMonitorPort = p }
        if let p = try port("CLICKHOUSE_PORT") { c.clickHousePort = p }
        if let p = try port("NATS_CLUSTER_PORT") { c.natsClusterPort = p }
        if let v = env["NATS_NODES"], !v.isEmpty {
            guard let n = Int(v) else { throw .invalidConfig("NATS_NODES=\(v): expected a node count \(Self.natsNodeRange.lowerBound)-\(Self.natsNodeRange.upperBound)") }
            try c.setNATSNodes(n, source: "NATS_NODES")
        }
        // The stack only prints this URL and pings it (no login), so it keeps no credentials of it.
        if let u = env["CLICKHOUSE_URL"], !u.isEmpty { c.externalClickHouseURL = ConnectionConfig.redacted(ConnectionConfig.splitUserInfo(u).url) }
        return c
    }

    /// The `export` line `rsbench stack up` prints: URLs only, never a credential (those stay in the user's own variables).
    public func exportLine(environment env: [String: String]) -> String {
        var line = "export NATS_URL=\(natsURLs.joined(separator: ","))"
        if externalClickHouseURL == nil {
            line += " CLICKHOUSE_URL=\(clickHouseURL)"
            if let user = env["CHDB_SERVER_USER"], !user.isEmpty { line += " CLICKHOUSE_USER=\(user)" }
            if let p = env["CHDB_SERVER_PASSWORD"], !p.isEmpty {
                line += "   # and CLICKHOUSE_PASSWORD: the one you set in CHDB_SERVER_PASSWORD (not printed)"
            }
        } else {
            line += "   # CLICKHOUSE_URL: keep your own setting (\(ConnectionConfig.redacted(clickHouseURL)))"
        }
        return line
    }

    /// How many nats-server nodes a local stack may run: JetStream replicas go up to 5.
    public static let natsNodeRange = 1...5

    /// Sets the node count, refusing one outside `natsNodeRange` with an error naming `source` (a flag or variable).
    public mutating func setNATSNodes(_ n: Int, source: String) throws(StackError) {
        guard Self.natsNodeRange.contains(n) else {
            throw .invalidConfig("\(source) \(n): expected a node count \(Self.natsNodeRange.lowerBound)-\(Self.natsNodeRange.upperBound) (1 = a single server, 3 = a cluster that survives losing one)")
        }
        natsNodes = n
    }

    /// The first node's client URL (the only one on a single-node stack).
    public var natsURL: String { "nats://\(host):\(natsPort)" }
    /// Every node's client URL, so a client fails over to the others when its server goes.
    public var natsURLs: [String] { natsNodeList.map { "nats://\(host):\($0.clientPort)" } }
    /// The nats-server nodes this stack runs, with their ports, names and files.
    public var natsNodeList: [NATSNode] { (0..<max(1, natsNodes)).map { NATSNode(index: $0, of: self) } }
    public var clickHouseURL: String { externalClickHouseURL ?? "http://\(host):\(clickHousePort)" }
    var stateFile: String { (home as NSString).appendingPathComponent("stack.json") }
    var logDir: String { (home as NSString).appendingPathComponent("logs") }
    var natsBinary: String { (venv as NSString).appendingPathComponent("bin/nats-server") }
    var python: String { (venv as NSString).appendingPathComponent("bin/python") }
    var chdbServerScript: String { (projectRoot as NSString).appendingPathComponent("stack/chdb_server.py") }

    /// Walks up from `start` to the directory holding `Package.swift` and `stack/chdb_server.py`.
    public static func findProjectRoot(from start: String = FileManager.default.currentDirectoryPath) -> String? {
        var dir = URL(fileURLWithPath: start).standardizedFileURL
        for _ in 0..<32 {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("stack/chdb_server.py").path) { return dir.path }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        return nil
    }
}

/// A stack operation that cannot go ahead, with what to do about it.
public enum StackError: Error, Sendable, CustomStringConvertible {
    case invalidConfig(String)
    case missingProgram(path: String, hint: String)
    case portTaken(service: String, host: String, port: Int)
    case unhealthy(service: String, detail: String, log: String)

    public var description: String {
        switch self {
        case .invalidConfig(let m): m
        case .missingProgram(let path, let hint): "\(path) not found: \(hint)"
        case .portTaken(let service, let host, let port):
            "\(service) cannot start: \(host):\(port) is already in use by a process rsbench did not start. Stop it, or choose another port (see `rsbench stack up --help`)."
        case .unhealthy(let service, let detail, let log):
            "\(service) did not become healthy: \(detail). Last lines of \(log):\n\(Self.tail(log))"
        }
    }

    static func tail(_ path: String, lines: Int = 15) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}
