import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One server process the stack started, as recorded in `stack.json`.
public struct StackProcess: Codable, Sendable, Equatable {
    public var service: String
    public var pid: Int32
    public var port: Int
    /// Text that must appear in `/proc/<pid>/cmdline`, so we never signal a recycled PID.
    public var commandMarker: String
    public var log: String
}

/// Health of each service, as `rsbench stack status` prints it.
public struct StackStatus: Sendable, CustomStringConvertible {
    public struct Entry: Sendable {
        public var service: String
        public var url: String
        public var pid: Int32?
        public var healthy: Bool
        public var detail: String
    }

    public var entries: [Entry]
    public var allHealthy: Bool { entries.allSatisfy(\.healthy) }

    public var description: String {
        entries.map { e in
            let pid = e.pid.map { "pid \($0)" } ?? "not started by rsbench"
            return "\(e.service.padding(toLength: 11, withPad: " ", startingAt: 0)) \(e.healthy ? "healthy  " : "DOWN     ") \(e.url)  (\(pid)) \(e.detail)"
        }.joined(separator: "\n")
    }
}

/// Starts, checks and stops the local stack: nats-server with JetStream and the chDB ClickHouse endpoint.
public struct LocalStack: Sendable {
    public let config: StackConfig

    public init(config: StackConfig) { self.config = config }

    /// Starts whatever is not already running and healthy, waits for health, and records the PIDs.
    ///
    /// Each PID goes into `stack.json` as soon as the server is spawned, before the health wait, so a `up` (or `run`)
    /// killed half-way leaves servers the next `up` recognises: a recorded process that is still ours
    /// (`/proc/<pid>/cmdline` names our config file or data directory) is waited for and reused, and so is an
    /// unrecorded one holding our port with our command line. `down` stops them.
    @discardableResult
    public func up(log: (String) -> Void = { _ in }) throws(StackError) -> StackStatus {
        try upNATS(log: log)
        var state = loadState()
        if config.externalClickHouseURL != nil {
            log("using ClickHouse at \(config.clickHouseURL) (CLICKHOUSE_URL); not starting the local endpoint")
        } else if let p = adopt("clickhouse", &state) {
            try awaitHealthy(p, adopted: true, &state, check: clickHouseHealthy)
            log("ClickHouse endpoint already running (pid \(p.pid)) on \(config.clickHouseURL)")
        } else {
            let p = try spawnClickHouse()
            try record(p, &state)
            try awaitHealthy(p, adopted: false, &state, check: clickHouseHealthy)
            log("started chDB ClickHouse endpoint (pid \(p.pid)) on \(config.clickHouseURL)")
        }
        saveState(state)
        return status()
    }

    /// Starts (or adopts) only the nats-server node(s), waits for their health, and records the PIDs.
    public func upNATS(log: (String) -> Void = { _ in }) throws(StackError) {
        var state = loadState()
        try refuseOtherNATSLayout(state)
        try ensureDirectories()
        // Every node is spawned before any is waited for: a cluster node reports healthy only once its peers are up.
        var nodes: [(node: NATSNode, process: StackProcess, adopted: Bool)] = []
        for node in config.natsNodeList {
            if let p = adopt(node.service, &state) {
                nodes.append((node, p, true))
            } else {
                let p = try spawnNATS(node)
                try record(p, &state)
                nodes.append((node, p, false))
            }
        }
        for (node, p, adopted) in nodes {
            try awaitHealthy(p, adopted: adopted, &state, check: { natsHealthy(node) })
            let url = "nats://\(config.host):\(node.clientPort)"
            log(adopted ? "\(displayName(node.service)) already running (pid \(p.pid)) on \(url)"
                : "started \(displayName(node.service)) (pid \(p.pid)) on \(url), monitoring on http://\(config.host):\(node.monitorPort)")
        }
    }

    /// A stack started with another node count still runs (its nats services differ from ours): its servers hold our
    /// ports, so say so rather than fail on a port.
    private func refuseOtherNATSLayout(_ state: [StackProcess]) throws(StackError) {
        let ours = Set(config.natsNodeList.map(\.service))
        let others = state.filter { $0.service.hasPrefix("nats") && !ours.contains($0.service) && isAlive($0) }
        guard others.isEmpty else {
            throw .invalidConfig("this stack already runs \(others.map(\.service).joined(separator: ", ")) (pids \(others.map { String($0.pid) }.joined(separator: ", "))) with another node count than --nats-cluster \(config.natsNodes); run `rsbench stack down` first")
        }
    }

    /// Waits for a server to answer its health check; an adopted one that never does loses its record.
    private func awaitHealthy(_ p: StackProcess, adopted: Bool, _ state: inout [StackProcess], check: () -> Bool) throws(StackError) {
        do { try waitHealthy(p, displayName(p.service), check: check) } catch {
            if adopted {
                state.removeAll { $0.service == p.service }
                saveState(state)
            }
            throw error
        }
    }

    private func displayName(_ service: String) -> String {
        service == "clickhouse" ? "ClickHouse endpoint" : service == "nats" ? "nats-server" : "nats-server \(service)"
    }

    /// Writes `p` into `stack.json` at once (replacing any record of its service).
    private func record(_ p: StackProcess, _ state: inout [StackProcess]) throws(StackError) {
        state.removeAll { $0.service == p.service }
        state.append(p)
        saveState(state)
    }

    /// Our server for `service` if one runs: the recorded PID when it is still ours, else a process with our exact
    /// command line (spawned by an `up` killed before it could record it), which is then recorded. The caller waits
    /// for its health (it may still be starting); nil when there is none.
    private func adopt(_ service: String, _ state: inout [StackProcess]) -> StackProcess? {
        if let p = state.first(where: { $0.service == service }), isAlive(p) { return p }
        state.removeAll { $0.service == service }
        guard let p = findOurs(service) else { return nil }
        state.append(p)
        saveState(state)
        return p
    }

    /// A running process whose command line is exactly the one this stack spawns for `service` (bounded /proc scan).
    func findOurs(_ service: String) -> StackProcess? {
        let want = expected(service)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries.prefix(1_000_000) {
            guard let pid = Int32(entry), pid != getpid() else { continue }
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { continue }
            let args = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard args.count >= want.args.count + 1, Array(args.suffix(want.args.count)) == want.args,
                  (args.first ?? "").hasSuffix(want.program) || args.contains(where: { $0.hasSuffix(want.program) }) else { continue }
            let p = StackProcess(service: service, pid: pid, port: want.port, commandMarker: want.marker, log: want.log)
            if isAlive(p) { return p }
        }
        return nil
    }

    /// The program, arguments, marker and log of the server this stack runs for `service`.
    private func expected(_ service: String) -> (program: String, args: [String], port: Int, marker: String, log: String) {
        if let node = config.natsNodeList.first(where: { $0.service == service }) {
            return ("nats-server", ["-c", node.configFile], node.clientPort, node.configFile, node.log)
        }
        return ("chdb_server.py", [config.chdbServerScript, "--host", config.host, "--port", String(config.clickHousePort), "--data-dir", clickHouseDataDir],
                config.clickHousePort, clickHouseDataDir, (config.logDir as NSString).appendingPathComponent("chdb-server.log"))
    }

    /// Stops exactly the processes this stack recorded (SIGTERM, then SIGKILL after `grace`).
    public func down(grace: Duration = .seconds(10), log: (String) -> Void = { _ in }) {
        var state = loadState()
        for p in state {
            if isAlive(p) {
                terminate(p, grace: grace)
                log("stopped \(p.service) (pid \(p.pid))")
            } else {
                log("\(p.service) (pid \(p.pid)) was not running")
            }
        }
        state.removeAll()
        try? FileManager.default.removeItem(atPath: config.stateFile)
    }

    /// Stops one service (for fault injection); `start(service:)` brings it back on the same data.
    public func stop(service: String, grace: Duration = .seconds(10)) {
        var state = loadState()
        for p in state where p.service == service && isAlive(p) { terminate(p, grace: grace) }
        state.removeAll { $0.service == service }
        saveState(state)
    }

    /// Kills one service with SIGKILL, as a crash would.
    public func kill(service: String) {
        var state = loadState()
        for p in state where p.service == service && isAlive(p) {
            Glibc.kill(p.pid, SIGKILL)
            waitForExit(p.pid, timeout: .seconds(5))
        }
        state.removeAll { $0.service == service }
        saveState(state)
    }

    /// Starts one service again (after `stop` or `kill`) on its data, and waits for its health.
    public func start(service: String) throws(StackError) {
        try ensureDirectories()
        var state = loadState()
        guard !state.contains(where: { $0.service == service && isAlive($0) }) else { return }
        if let node = config.natsNodeList.first(where: { $0.service == service }) {
            let p = try spawnNATS(node)
            try record(p, &state)
            try waitHealthy(p, displayName(service), check: { natsHealthy(node) })
        } else {
            let p = try spawnClickHouse()
            try record(p, &state)
            try waitHealthy(p, displayName(service), check: clickHouseHealthy)
        }
    }

    public func status() -> StackStatus {
        let state = loadState()
        func pid(_ service: String) -> Int32? { state.first { $0.service == service }.flatMap { isAlive($0) ? $0.pid : nil } }
        var entries = config.natsNodeList.map { node in
            StackStatus.Entry(service: node.service, url: "nats://\(config.host):\(node.clientPort)", pid: pid(node.service), healthy: natsHealthy(node),
                              detail: "JetStream\(node.clusterPort == nil ? "" : ", cluster server \(node.serverName)"), data in \(node.dataDir)")
        }
        entries.append(StackStatus.Entry(service: "clickhouse", url: config.clickHouseURL, pid: pid("clickhouse"),
                                         healthy: clickHouseHealthy(),
                                         detail: config.externalClickHouseURL == nil ? "chDB endpoint, data in \(clickHouseDataDir)" : "external server"))
        return StackStatus(entries: entries)
    }

    /// This stack with the node count its record shows (`nats-1`…`nats-N`), so `status` and `down` without
    /// `--nats-cluster` see the cluster `up` started; unchanged when the record holds no cluster node.
    public func matchingRecordedNodes() -> LocalStack {
        let clusterNodes = loadState().compactMap { p -> Int? in
            guard p.service.hasPrefix("nats-") else { return nil }
            return Int(p.service.dropFirst("nats-".count))
        }
        guard let n = clusterNodes.max(), StackConfig.natsNodeRange.contains(n), n != config.natsNodes else { return self }
        var c = config
        c.natsNodes = n
        return LocalStack(config: c)
    }

    /// The processes recorded for this stack (for resource sampling and tests).
    public var processes: [StackProcess] { loadState().filter(isAlive) }

    // MARK: Health

    /// Every nats-server node answers `/healthz` with ok.
    public func natsHealthy() -> Bool { config.natsNodeList.allSatisfy(natsHealthy) }

    /// One node is healthy; a cluster node also needs a JetStream meta leader, or stream requests fail with 10008.
    public func natsHealthy(_ node: NATSNode) -> Bool {
        guard let r = LoopbackProbe.httpGet(host: config.host, port: node.monitorPort, path: "/healthz"),
              r.status == 200, r.body.contains("ok") else { return false }
        guard node.clusterPort != nil else { return true }
        guard let j = LoopbackProbe.httpGet(host: config.host, port: node.monitorPort, path: "/jsz"), j.status == 200,
              let o = try? JSONSerialization.jsonObject(with: Data(j.body.utf8)) as? [String: Any],
              let meta = o["meta_cluster"] as? [String: Any], let leader = meta["leader"] as? String else { return false }
        return !leader.isEmpty
    }

    public func clickHouseHealthy() -> Bool {
        if let external = config.externalClickHouseURL {
            guard let u = URL(string: external), let host = u.host else { return false }
            guard host == "127.0.0.1" || host == "localhost" else { return true }
            return LoopbackProbe.httpGet(host: "127.0.0.1", port: u.port ?? 8123, path: "/ping")?.body.hasPrefix("Ok.") ?? false
        }
        guard let r = LoopbackProbe.httpGet(host: config.host, port: config.clickHousePort, path: "/ping") else { return false }
        return r.status == 200 && r.body.hasPrefix("Ok.")
    }

    // MARK: Processes

    var clickHouseDataDir: String { (config.home as NSString).appendingPathComponent("clickhouse") }

    /// Spawns one nats-server node and returns at once; the caller records the PID, then waits for health.
    private func spawnNATS(_ node: NATSNode) throws(StackError) -> StackProcess {
        guard FileManager.default.isExecutableFile(atPath: config.natsBinary) else {
            throw .missingProgram(path: config.natsBinary, hint: "run `scripts/setup` (or `make setup`) to install nats-server into the virtualenv")
        }
        for port in [node.clientPort, node.monitorPort] + (node.clusterPort.map { [$0] } ?? [])
        where !LoopbackProbe.isPortFree(host: config.host, port: port) {
            throw .portTaken(service: displayName(node.service), host: config.host, port: port)
        }
        try? natsServerConfig(node).write(toFile: node.configFile, atomically: true, encoding: .utf8)
        let pid = try spawn(config.natsBinary, ["-c", node.configFile], log: node.log)
        // The config path is in this stack's home: the marker tells our server from any other nats-server.
        return StackProcess(service: node.service, pid: pid, port: node.clientPort, commandMarker: node.configFile, log: node.log)
    }

    /// The node's nats-server.conf: loopback listeners, its own store and, in a cluster, routes to every other node.
    func natsServerConfig(_ node: NATSNode) -> String {
        var text = """
            # Written by rsbench stack up; loopback only.
            server_name: \(node.serverName)
            listen: \(config.host):\(node.clientPort)
            http: \(config.host):\(node.monitorPort)
            max_payload: 8MB
            jetstream {
              store_dir: "\(node.dataDir)"
              max_file_store: 20GB
              max_memory_store: 1GB
            }
            """
        if let clusterPort = node.clusterPort {
            let routes = config.natsNodeList.filter { $0.index != node.index }.compactMap(\.clusterPort)
                .map { "nats-route://\(config.host):\($0)" }
            text += """

                cluster {
                  name: \(config.natsClusterName)
                  listen: \(config.host):\(clusterPort)
                  routes: [\(routes.joined(separator: ", "))]
                }
                """
        }
        return text + "\n"
    }

    /// Spawns the chDB endpoint and returns at once; the caller records the PID, then waits for health.
    private func spawnClickHouse() throws(StackError) -> StackProcess {
        guard FileManager.default.isExecutableFile(atPath: config.python) else {
            throw .missingProgram(path: config.python, hint: "run `scripts/setup` (or `make setup`) to create the virtualenv with chDB")
        }
        guard FileManager.default.fileExists(atPath: config.chdbServerScript) else {
            throw .missingProgram(path: config.chdbServerScript, hint: "run rsbench from the project checkout, or set the project root")
        }
        guard LoopbackProbe.isPortFree(host: config.host, port: config.clickHousePort) else {
            throw .portTaken(service: "ClickHouse endpoint", host: config.host, port: config.clickHousePort)
        }
        let log = (config.logDir as NSString).appendingPathComponent("chdb-server.log")
        let pid = try spawn(config.python, [config.chdbServerScript, "--host", config.host, "--port", String(config.clickHousePort),
                                            "--data-dir", clickHouseDataDir], log: log)
        return StackProcess(service: "clickhouse", pid: pid, port: config.clickHousePort, commandMarker: clickHouseDataDir, log: log)
    }

    private func waitHealthy(_ p: StackProcess, _ name: String, check: () -> Bool) throws(StackError) {
        let clock = ContinuousClock()
        let deadline = clock.now + config.startTimeout
        while clock.now < deadline {
            if check() { return }
            // Right after spawn the child may not have exec'd yet, so only ask whether it still runs.
            if Glibc.kill(p.pid, 0) != 0 || isZombieOrGone(p.pid) {
                throw .unhealthy(service: name, detail: "the process (pid \(p.pid)) exited during start-up", log: p.log)
            }
            usleep(50_000)
        }
        terminate(p, grace: .seconds(2))
        throw .unhealthy(service: name, detail: "no healthy answer within \(config.startTimeout)", log: p.log)
    }

    /// Starts a server in its own session (posix_spawn with SETSID), so a Ctrl-C aimed at rsbench does
    /// not reach it and the recorded PID is the server itself.
    private func spawn(_ program: String, _ args: [String], log: String) throws(StackError) -> Int32 {
        let fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .invalidConfig("cannot write log file \(log): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fd, 1)
        posix_spawn_file_actions_adddup2(&actions, fd, 2)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        let posixSpawnSetSID: Int32 = 0x80  // glibc's POSIX_SPAWN_SETSID, not imported into Swift
        posix_spawnattr_setflags(&attr, Int16(posixSpawnSetSID))
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let r = posix_spawn(&pid, program, &actions, &attr, argv, environ)
        guard r == 0 else { throw .missingProgram(path: program, hint: String(cString: strerror(r))) }
        return pid
    }

    private func terminate(_ p: StackProcess, grace: Duration) {
        Glibc.kill(p.pid, SIGTERM)
        if !waitForExit(p.pid, timeout: grace) {
            Glibc.kill(p.pid, SIGKILL)
            waitForExit(p.pid, timeout: .seconds(5))
        }
    }

    @discardableResult
    private func waitForExit(_ pid: Int32, timeout: Duration) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid || (r == -1 && errno == ECHILD && Glibc.kill(pid, 0) != 0) { return true }
            if r == -1 && errno == ECHILD && isZombieOrGone(pid) { return true }
            usleep(20_000)
        }
        return false
    }

    private func isZombieOrGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        guard let close = stat.lastIndex(of: ")") else { return true }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.first == "Z"
    }

    /// True when the PID is running and is still the program we started.
    func isAlive(_ p: StackProcess) -> Bool {
        guard Glibc.kill(p.pid, 0) == 0, !isZombieOrGone(p.pid) else { return false }
        guard let data = FileManager.default.contents(atPath: "/proc/\(p.pid)/cmdline") else { return false }
        return String(decoding: data, as: UTF8.self).contains(p.commandMarker)
    }

    // MARK: State

    private func ensureDirectories() throws(StackError) {
        for d in [config.home, config.logDir, clickHouseDataDir] + config.natsNodeList.map(\.dataDir) {
            do { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) } catch {
                throw .invalidConfig("cannot create \(d): \(error)")
            }
        }
    }

    private func loadState() -> [StackProcess] {
        guard let data = FileManager.default.contents(atPath: config.stateFile) else { return [] }
        return (try? JSONDecoder().decode([StackProcess].self, from: data)) ?? []
    }

    private func saveState(_ state: [StackProcess]) {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        if let data = try? enc.encode(state) { _ = FileManager.default.createFile(atPath: config.stateFile, contents: data) }
    }
}

extension LocalStack {
    /// The running nats-server's version from its monitoring endpoint (`/varz`), nil when it does not answer.
    public func natsServerVersion() -> String? {
        guard let r = LoopbackProbe.httpGet(host: config.host, port: config.natsMonitorPort, path: "/varz"), r.status == 200,
              let o = try? JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any] else { return nil }
        return o["version"] as? String
    }
}
