import Foundation
import LocalStack

/// What a test needs to run the real `rsbench` as a child that starts its own local stack, apart from every other
/// stack on the machine: its own home, free ports, and none of the variables that would point it at other servers.
enum IsolatedStack {
    static func environment(home: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["RSBENCH_HOME"] = home
        env["NATS_PORT"] = String(LoopbackProbe.freePort())
        env["NATS_MONITOR_PORT"] = String(LoopbackProbe.freePort())
        env["CLICKHOUSE_PORT"] = String(LoopbackProbe.freePort())
        for k in ["NATS_URL", "CLICKHOUSE_URL", "CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD", "CHDB_SERVER_USER", "CHDB_SERVER_PASSWORD"] { env.removeValue(forKey: k) }
        return env
    }

    /// Stops exactly the stack recorded in `env`'s home; for a `defer`, so a run killed by a timeout leaves nothing behind.
    static func down(_ binary: String, env: [String: String]) {
        if let down = try? Spawned.start(binary, ["stack", "down"], env: env, cwd: TestStack.projectRoot) { _ = Spawned.wait(down, timeout: .seconds(60)) }
    }
}
