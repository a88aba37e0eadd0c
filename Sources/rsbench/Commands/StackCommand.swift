import ArgumentParser
import Foundation
import LocalStack
import Reporting

/// `rsbench stack up|down|status`.
struct StackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stack",
        abstract: "Start, stop or check the local stack (nats-server + ClickHouse endpoint on 127.0.0.1).",
        discussion: """
            `up` starts nats-server with JetStream (default 127.0.0.1:4222, monitoring :8222) and, unless \
            CLICKHOUSE_URL names a real server, the chDB-backed ClickHouse endpoint (default 127.0.0.1:8123). \
            It waits until both answer their health checks and records their PIDs under the data directory \
            (default .rsbench/). Running `up` twice is harmless. `down` stops exactly the recorded PIDs.

            `--nats-cluster N` runs N nats-servers (nats-1…nats-N) clustered over loopback routes, each with its own \
            JetStream store: node i listens on the client, monitoring and route ports of node 1 plus i-1 (default \
            4222…, 8222…, 6222…). `status` and `down` find the node count in the PID record. The \
            printed NATS_URL lists every node, so clients fail over. Streams stay R1 unless migrated with \
            `risksignal migrate --replicas 3`.

            Examples:
              rsbench stack up
              rsbench stack up --nats-port 14222 --clickhouse-port 18123 --home /tmp/rs
              rsbench stack up --nats-cluster 3
              rsbench stack up --nats-cluster 3 --nats-port 14222 --nats-cluster-port 16222
              CLICKHOUSE_URL=http://ch.internal:8123 rsbench stack up
              rsbench stack status
              rsbench stack down
            """,
        subcommands: [Up.self, Down.self, Status.self]
    )

    struct Options: ParsableArguments {
        @Option(help: "Data, logs and PID record (env RSBENCH_HOME; default .rsbench under the project).")
        var home: String?
        @Option(help: "NATS client port (env NATS_PORT; default 4222).")
        var natsPort: Int?
        @Option(help: "NATS monitoring port for /healthz (env NATS_MONITOR_PORT; default 8222).")
        var natsMonitorPort: Int?
        @Option(help: "ClickHouse endpoint port (env CLICKHOUSE_PORT; default 8123).")
        var clickhousePort: Int?
        @Option(name: .customLong("nats-cluster"), help: "nats-server nodes, clustered over loopback when above 1 (env NATS_NODES; 1-5, default 1).")
        var natsNodes: Int?
        @Option(help: "First NATS cluster route port; node i uses it plus i-1 (env NATS_CLUSTER_PORT; default 6222).")
        var natsClusterPort: Int?

        func stack() throws -> LocalStack {
            guard let root = StackConfig.findProjectRoot() else {
                throw ValidationError("cannot find the project checkout (a directory with stack/chdb_server.py) from \(FileManager.default.currentDirectoryPath); run rsbench from inside it")
            }
            var env = ProcessInfo.processInfo.environment
            if let home { env["RSBENCH_HOME"] = home }
            var c = try StackConfig.fromEnvironment(env, projectRoot: root)
            if let natsPort { c.natsPort = natsPort }
            if let natsMonitorPort { c.natsMonitorPort = natsMonitorPort }
            if let clickhousePort { c.clickHousePort = clickhousePort }
            if let natsClusterPort { c.natsClusterPort = natsClusterPort }
            if let natsNodes { try c.setNATSNodes(natsNodes, source: "--nats-cluster") }
            return LocalStack(config: c)
        }

        /// The data folder `up` writes (servers' data, logs, the PID record), named by where it came from.
        func home(of stack: LocalStack) -> OutputPath {
            let fromEnvironment = !(ProcessInfo.processInfo.environment["RSBENCH_HOME"] ?? "").isEmpty
            let source = home != nil ? "--home" : fromEnvironment ? "RSBENCH_HOME" : "the data folder"
            return OutputPath(flag: source, path: stack.config.home, kind: .folder)
        }

        /// For `status` and `down`: without a node count given, the one `up` recorded.
        func recordedStack() throws -> LocalStack {
            let stack = try stack()
            return natsNodes == nil && ProcessInfo.processInfo.environment["NATS_NODES"] == nil ? stack.matchingRecordedNodes() : stack
        }
    }

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the stack and wait until it is healthy.")
        @OptionGroup var options: Options

        func run() throws {
            let stack = try options.stack()
            try requireWritable(options.home(of: stack))
            let status = try stack.up(log: { print("[stack] \($0)") })
            print(status)
            print(stack.config.exportLine(environment: ProcessInfo.processInfo.environment))
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the processes `up` started (by their recorded PIDs).")
        @OptionGroup var options: Options

        func run() throws {
            try options.recordedStack().down(log: { print("[stack] \($0)") })
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show each service's health; exits 1 when one is down.")
        @OptionGroup var options: Options

        func run() throws {
            let status = try options.recordedStack().status()
            print(status)
            if !status.allHealthy { throw ExitCode(1) }
        }
    }
}

