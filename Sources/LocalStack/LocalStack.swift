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
    @discardableResult
    public func up(log: (String) -> Void = { _ in }) throws(StackError) -> StackStatus {
        try ensureDirectories()
        var state = loadState()
        if let p = state.first(where: { $0.service == "nats" }), isAlive(p), natsHealthy() {
            log("nats-server already running (pid \(p.pid)) on \(config.natsURL)")
        } else {
            state.removeAll { $0.service == "nats" }
            let p = try startNATS()
            state.append(p)
            saveState(state)
            log("started nats-server (pid \(p.pid)) on \(config.natsURL), monitoring on http://\(config.host):\(config.natsMonitorPort)")
        }
        if config.externalClickHouseURL != nil {
            log("using ClickHouse at \(config.clickHouseURL) (CLICKHOUSE_URL); not starting the local endpoint")
        } else if let p = state.first(where: { $0.service == "clickhouse" }), isAlive(p), clickHouseHealthy() {
            log("ClickHouse endpoint already running (pid \(p.pid)) on \(config.clickHouseURL)")
        } else {
            state.removeAll { $0.service == "clickhouse" }
            let p = try startClickHouse()
            state.append(p)
            saveState(state)
            log("started chDB ClickHouse endpoint (pid \(p.pid)) on \(config.clickHouseURL)")
        }
        saveState(state)
        return status()
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

    public func start(service: String) throws(StackError) {
        try ensureDirectories()
        var state = loadState()
        guard !state.contains(where: { $0.service == service && isAlive($0) }) else { return }
        let p = service == "nats" ? try startNATS() : try startClickHouse()
        state.removeAll { $0.service == service }
        state.append(p)
        saveState(state)
    }

    public func status() -> StackStatus {
        let state = loadState()
        let nats = state.first { $0.service == "nats" }
        let ch = state.first { $0.service == "clickhouse" }
        var entries = [StackStatus.Entry(service: "nats", url: config.natsURL, pid: nats.flatMap { isAlive($0) ? $0.pid : nil },
                                         healthy: natsHealthy(), detail: "JetStream, data in \(natsDataDir)")]
        entries.append(StackStatus.Entry(service: "clickhouse", url: config.clickHouseURL, pid: ch.flatMap { isAlive($0) ? $0.pid : nil },
                                         healthy: clickHouseHealthy(),
                                         detail: config.externalClickHouseURL == nil ? "chDB endpoint, data in \(clickHouseDataDir)" : "external server"))
        return StackStatus(entries: entries)
    }

    /// The processes recorded for this stack (for resource sampling and tests).
    public var processes: [StackProcess] { loadState().filter(isAlive) }

    // MARK: Health

    public func natsHealthy() -> Bool {
        guard let r = LoopbackProbe.httpGet(host: config.host, port: config.natsMonitorPort, path: "/healthz") else { return false }
        return r.status == 200 && r.body.contains("ok")
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

    var natsDataDir: String { (config.home as NSString).appendingPathComponent("nats") }
    var clickHouseDataDir: String { (config.home as NSString).appendingPathComponent("clickhouse") }

    private func startNATS() throws(StackError) -> StackProcess {
        guard FileManager.default.isExecutableFile(atPath: config.natsBinary) else {
            throw .missingProgram(path: config.natsBinary, hint: "run `scripts/setup` (or `make setup`) to install nats-server into the virtualenv")
        }
        for port in [config.natsPort, config.natsMonitorPort] where !LoopbackProbe.isPortFree(host: config.host, port: port) {
            throw .portTaken(service: "nats-server", host: config.host, port: port)
        }
        let conf = (config.home as NSString).appendingPathComponent("nats-server.conf")
        let text = """
            # Written by rsbench stack up; loopback only.
            listen: \(config.host):\(config.natsPort)
            http: \(config.host):\(config.natsMonitorPort)
            max_payload: 8MB
            jetstream {
              store_dir: "\(natsDataDir)"
              max_file_store: 20GB
              max_memory_store: 1GB
            }
            """
        try? text.write(toFile: conf, atomically: true, encoding: .utf8)
        let log = (config.logDir as NSString).appendingPathComponent("nats-server.log")
        let pid = try spawn(config.natsBinary, ["-c", conf], log: log)
        let p = StackProcess(service: "nats", pid: pid, port: config.natsPort, commandMarker: "nats-server", log: log)
        try waitHealthy(p, "nats-server", check: natsHealthy)
        return p
    }

    private func startClickHouse() throws(StackError) -> StackProcess {
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
        let p = StackProcess(service: "clickhouse", pid: pid, port: config.clickHousePort, commandMarker: "chdb_server.py", log: log)
        try waitHealthy(p, "ClickHouse endpoint", check: clickHouseHealthy)
        return p
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
        for d in [config.home, config.logDir, natsDataDir, clickHouseDataDir] {
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
