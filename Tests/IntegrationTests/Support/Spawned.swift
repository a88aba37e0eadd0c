import Foundation

/// A child started with posix_spawn and reaped with waitpid. Foundation's `Process` with a pipe never sees EOF when the
/// child leaves servers holding its stdout (`rsbench stack up` does), and a killed child it does not reap stays a zombie.
enum Spawned {
    /// Spawns `program` in `cwd` with exactly `env`; stdout and stderr go to `output` (a file path, or /dev/null).
    static func start(_ program: String, _ args: [String], env: [String: String], cwd: String, output: String = "/dev/null") throws -> pid_t {
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(cwd)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + args).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let r = posix_spawn(&pid, program, &actions, nil, argv, envp)
        guard r == 0 else { throw NSError(domain: "posix_spawn \(program)", code: Int(r)) }
        return pid
    }

    /// True once the child has exited (and reaps it).
    static func exited(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid
    }

    /// Waits up to `timeout` for the child; its exit code, or nil if it did not exit in time (it is then killed).
    static func wait(_ pid: pid_t, timeout: Duration) -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var status: Int32 = 0
        while clock.now < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f) }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
        return nil
    }
}
