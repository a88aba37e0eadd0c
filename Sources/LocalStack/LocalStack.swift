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
        try ensureDirectories()
        var state = loadState()
        if let p = try adopt("nats", &state, check: natsHealthy) {
            log("nats-server already running (pid \(p.pid)) on \(config.natsURL)")
        } else {
            let p = try spawnNATS()
            try record(p, &state)
            try waitHealthy(p, "nats-server", check: natsHealthy)
            log("started nats-server (pid \(p.pid)) on \(config.natsURL), monitoring on http://\(config.host):\(config.natsMonitorPort)")
        }
        if config.externalClickHouseURL != nil {
            log("using ClickHouse at \(config.clickHouseURL) (CLICKHOUSE_URL); not starting the local endpoint")
        } else if let p = try adopt("clickhouse", &state, check: clickHouseHealthy) {
            log("ClickHouse endpoint already running (pid \(p.pid)) on \(config.clickHouseURL)")
        } else {
            let p = try spawnClickHouse()
            try record(p, &state)
            try waitHealthy(p, "ClickHouse endpoint", check: clickHouseHealthy)
            log("started chDB ClickHouse endpoint (pid \(p.pid)) on \(config.clickHouseURL)")
        }
        saveState(state)
        return status()
    }

    /// Writes `p` into `stack.json` at once (replacing any record of its service).
    private func record(_ p: StackProcess, _ state: inout [StackProcess]) throws(StackError) {
        state.removeAll { $0.service == p.service }
        state.append(p)
        saveState(state)
    }

    /// Our server for `service` if one runs: the recorded PID when it is still ours, else a process with our exact
    /// command line (spawned by an `up` killed before it could record it), which is then recorded. It is waited
    /// for (it may still be starting); nil when there is none.
    private func adopt(_ service: String, _ state: inout [StackProcess], check: () -> Bool) throws(StackError) -> StackProcess? {
        let name = service == "nats" ? "nats-server" : "ClickHouse endpoint"
        if let p = state.first(where: { $0.service == service }), isAlive(p) {
            if check() { return p }
            do { try waitHealthy(p, name, check: check) } catch {
                state.removeAll { $0.service == service }
                saveState(state)
                throw error
            }
            return p
        }
        state.removeAll { $0.service == service }
        guard let p = findOurs(service) else { return nil }
        try record(p, &state)
        try waitHealthy(p, name, check: check)
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
        if service == "nats" {
            let conf = (config.home as NSString).appendingPathComponent("nats-server.conf")
            return ("nats-server", ["-c", conf], config.natsPort, conf, (config.logDir as NSString).appendingPathComponent("nats-server.log"))
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

    public func start(service: String) throws(StackError) {
        try ensureDirectories()
        var state = loadState()
        guard !state.contains(where: { $0.service == service && isAlive($0) }) else { return }
        let p = service == "nats" ? try spawnNATS() : try spawnClickHouse()
        try record(p, &state)
        try waitHealthy(p, service == "nats" ? "nats-server" : "ClickHouse endpoint", check: service == "nats" ? natsHealthy : clickHouseHealthy)
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

    /// Spawns nats-server and returns at once; the caller records the PID, then waits for health.
    private func spawnNATS() throws(StackError) -> StackProcess {
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
        // The config path is in this stack's home: the marker tells our server from any other nats-server.
        return StackProcess(service: "nats", pid: pid, port: config.natsPort, commandMarker: conf, log: log)
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

extension LocalStack {
    /// The running nats-server's version from its monitoring endpoint (`/varz`), nil when it does not answer.
    public func natsServerVersion() -> String? {
        guard let r = LoopbackProbe.httpGet(host: config.host, port: config.natsMonitorPort, path: "/varz"), r.status == 200,
              let o = try? JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any] else { return nil }
        return o["version"] as? String
    }
}
