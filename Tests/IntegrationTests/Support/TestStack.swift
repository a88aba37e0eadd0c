import ClickHouse
import Foundation
import JetStream
import LocalStack
import RiskSignalCore
import XCTest

/// A real local stack (nats-server + chDB endpoint) on free loopback ports and a temp data dir, for one test class.
final class TestStack: @unchecked Sendable {
    let stack: LocalStack
    let home: String

    static var projectRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// `natsNodes` above 1 starts that many clustered nats-servers (issue 15).
    init(name: String, natsNodes: Int = 1) throws {
        home = NSTemporaryDirectory() + "rsbench-test-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        stack = try Self.start(home: home, natsNodes: natsNodes) { try $0.up() }
    }

    /// A stack config on free loopback ports in `home`: a cluster's nodes take runs of consecutive ports.
    static func freeConfig(home: String, natsNodes: Int) throws -> StackConfig {
        var c = StackConfig(projectRoot: projectRoot, home: home)
        if natsNodes > 1 {
            guard let bases = LoopbackProbe.freePortRuns(3, count: natsNodes) else { throw XCTSkip("no \(natsNodes) consecutive free loopback ports") }
            try c.setNATSNodes(natsNodes, source: "TestStack")
            (c.natsPort, c.natsMonitorPort, c.natsClusterPort) = (bases[0], bases[1], bases[2])
            c.startTimeout = .seconds(60)
        } else {
            c.natsPort = LoopbackProbe.freePort()
            c.natsMonitorPort = LoopbackProbe.freePort()
        }
        c.clickHousePort = LoopbackProbe.freePort()
        return c
    }

    /// Starts a stack with `up` on free ports. A port found free can be taken by another process before the server
    /// binds it (seen once in `make test`: nats-server "address already in use"): a failed start gets fresh ports, at
    /// most three times.
    static func start(home: String, natsNodes: Int, _ up: (LocalStack) throws -> Void) throws -> LocalStack {
        var attempt = 1
        while true {
            let candidate = LocalStack(config: try freeConfig(home: home, natsNodes: natsNodes))
            do {
                try up(candidate)
                return candidate
            } catch {
                candidate.down(grace: .seconds(5))
                guard attempt < 3, "\(error)".contains("address already in use") else { throw error }
                attempt += 1
            }
        }
    }

    /// Stops the processes this stack started and removes its data.
    func stop() {
        stack.down(grace: .seconds(5))
        try? FileManager.default.removeItem(atPath: home)
    }

    var connection: ConnectionConfig {
        ConnectionConfig(natsURLs: stack.config.natsURLs, clickHouseURL: stack.config.clickHouseURL)
    }

    func nats(_ name: String = "test") async throws -> NATSConnection {
        try await NATSConnection.connect(NATSConnectionOptions(urls: stack.config.natsURLs, name: name))
    }

    func clickHouse(database: String = "default") -> ClickHouseClient {
        ClickHouseClient(ClickHouseClientConfig(url: stack.config.clickHouseURL, database: database))
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(10), _ what: String, _ condition: () async throws -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    XCTFail("timed out after \(timeout) waiting for \(what)")
}
