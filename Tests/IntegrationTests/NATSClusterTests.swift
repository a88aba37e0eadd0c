import Foundation
import JetStream
import LocalStack
import RiskSignalCore
import XCTest

/// A real 3-node nats-server cluster on loopback, started by `LocalStack` (issue 15): start, status and stop of every
/// node, and publishers that lose no message and store none twice when the stream leader is SIGKILLed mid-run.
final class NATSClusterTests: XCTestCase {
    /// Starts only the NATS nodes of a stack with `nodes` servers on free loopback ports in a temp home. A port found
    /// free can be taken before the server binds it, so a start that hit "address already in use" gets fresh ports
    /// (at most three tries).
    func startNATS(nodes: Int, _ name: String) throws -> LocalStack {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: TestStack.projectRoot + "/.rsbench/venv/bin/nats-server"),
                          "nats-server is missing: run scripts/setup")
        let home = NSTemporaryDirectory() + "rsbench-cluster-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        for attempt in 1...3 {
            guard let bases = LoopbackProbe.freePortRuns(3, count: nodes) else { throw XCTSkip("no \(nodes) consecutive free loopback ports") }
            var c = StackConfig(projectRoot: TestStack.projectRoot, home: home)
            try c.setNATSNodes(nodes, source: "test")
            (c.natsPort, c.natsMonitorPort, c.natsClusterPort) = (bases[0], bases[1], bases[2])
            c.startTimeout = .seconds(60)
            let stack = LocalStack(config: c)
            do {
                try stack.upNATS()
                return stack
            } catch {
                stack.down(grace: .seconds(5))
                guard attempt < 3, "\(error)".contains("address already in use") else { throw error }
            }
        }
        throw XCTSkip("unreachable")
    }

    func stop(_ stack: LocalStack) {
        stack.down(grace: .seconds(5))
        try? FileManager.default.removeItem(atPath: stack.config.home)
    }

    func gone(_ pid: Int32) -> Bool {
        if kill(pid, 0) != 0 { return true }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.isEmpty || stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    func testClusterUpStatusDownCoversEveryNode() throws {
        let stack = try startNATS(nodes: 3, "updown")
        defer { stop(stack) }
        let procs = stack.processes
        XCTAssertEqual(procs.map(\.service).sorted(), ["nats-1", "nats-2", "nats-3"])
        XCTAssertEqual(Set(procs.map(\.pid)).count, 3, "three servers, three PIDs")
        let status = stack.status()
        let nats = status.entries.filter { $0.service.hasPrefix("nats") }
        XCTAssertEqual(nats.count, 3)
        XCTAssertTrue(nats.allSatisfy(\.healthy), "\(status)")
        XCTAssertEqual(stack.config.natsURLs.count, 3)
        // Each node routes to the two others over loopback, and keeps its own store.
        for node in stack.config.natsNodeList {
            let routez = try XCTUnwrap(LoopbackProbe.httpGet(host: "127.0.0.1", port: node.monitorPort, path: "/routez"))
            let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(routez.body.utf8)) as? [String: Any])
            XCTAssertGreaterThanOrEqual(o["num_routes"] as? Int ?? 0, 2, "\(node.service) routes: \(routez.body.prefix(300))")
            XCTAssertTrue(FileManager.default.fileExists(atPath: node.dataDir + "/jetstream"), "\(node.service) store in \(node.dataDir)")
            let conf = try String(contentsOfFile: node.configFile, encoding: .utf8)
            XCTAssertFalse(conf.contains("0.0.0.0"), "loopback only")
        }
        // A second `up` reuses the three servers.
        try stack.upNATS()
        XCTAssertEqual(Set(stack.processes.map(\.pid)), Set(procs.map(\.pid)))

        stack.down(grace: .seconds(5))
        for p in procs { XCTAssertTrue(gone(p.pid), "\(p.service) (pid \(p.pid)) stopped") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: stack.config.home + "/stack.json"))
        XCTAssertFalse(stack.status().entries.contains { $0.service.hasPrefix("nats") && $0.healthy })
    }

    /// Done-when of issue 15: 20k messages published to an R3 stream while its leader is SIGKILLed half-way; every one is
    /// stored exactly once (stream count, and distinct ids read back).
    func testLeaderKilledMidPublishStoresEveryMessageOnce() async throws {
        let stack = try startNATS(nodes: 3, "failover")
        defer { stop(stack) }
        var options = NATSConnectionOptions(urls: stack.config.natsURLs, name: "cluster-failover-test")
        options.reconnectWait = .milliseconds(100)
        let nats = try await NATSConnection.connect(options)
        defer { nats.close() }
        var jsOptions = JetStreamOptions()
        jsOptions.publishWindow = 2048
        // The retry policy is the default one, as rsbench and `risksignal produce` use it.
        let js = try nats.jetStream(jsOptions)
        let spec = StreamSpec(name: "FAILOVER", subjects: ["failover.>"], maxAge: .seconds(3600), replicas: 3)
        try await js.ensureStream(spec)
        var leader = ""
        try await eventually(timeout: .seconds(30), "an R3 leader with two current replicas") {
            guard let p = try? await js.streamPlacement(spec.name) else { return false }
            leader = p.leader
            return !p.leader.isEmpty && p.peers.count == 2 && p.peers.allSatisfy(\.current)
        }
        let placed = try await js.streamPlacement(spec.name)
        XCTAssertEqual(placed.configuredReplicas, 3)

        let total = 20_000, chunk = 250, killAt = total / 2
        var killed: String?
        for start in stride(from: 0, to: total, by: chunk) {
            if start == killAt {
                // Found through $JS.API.STREAM.INFO, as an operator would; the node is killed as a crash would.
                leader = try await js.streamPlacement(spec.name).leader
                let node = try XCTUnwrap(stack.config.natsNodeList.first { $0.serverName == leader }, "leader \(leader) is one of ours")
                stack.kill(service: node.service)
                killed = node.service
            }
            let messages = (start..<min(start + chunk, total)).map { i in
                OutgoingMessage(subject: "failover.\(i % 8)", payload: Array("m-\(i)".utf8), messageID: "m-\(i)")
            }
            try await js.publishAsync(messages)
            try await Task.sleep(for: .milliseconds(5))
        }
        try await js.waitForAcks(timeout: .seconds(120))
        let counts = js.ackCounts
        print("cluster failover: killed \(killed ?? "-") (leader \(leader)); published \(counts.published), acked \(counts.acked), duplicates \(counts.duplicates), retries \(counts.retries), failed \(counts.failed)\(counts.lastError.map { ", last error: \($0)" } ?? "")")
        XCTAssertNotNil(killed)
        XCTAssertEqual(counts.published, UInt64(total))
        XCTAssertEqual(counts.failed, 0, "a publish that lost its ack is retried, not failed: \(counts.lastError ?? "")")
        XCTAssertEqual(counts.acked, UInt64(total))

        // Stream info can time out while the surviving nodes settle: asked again until a new leader answers.
        var stored: StreamState?
        try await eventually(timeout: .seconds(30), "a new stream leader answering") {
            guard let p = try? await js.streamPlacement(spec.name), !p.leader.isEmpty, p.leader != leader else { return false }
            stored = try? await js.streamState(spec.name)
            return stored != nil
        }
        XCTAssertEqual(stored?.messages, UInt64(total), "stream count")

        // Read every message back: each id exactly once.
        // The meta leader may have been on the killed node too: creating the consumer is asked again until it answers.
        var consumer: PullConsumer?
        try await eventually(timeout: .seconds(30), "the read-back consumer created") {
            consumer = try? await js.pullConsumer(ConsumerSpec(stream: spec.name, durable: "failover-check", filterSubject: "failover.>", ackPolicy: .none))
            return consumer != nil
        }
        let reader = try XCTUnwrap(consumer)
        var ids = Set<String>()
        var read = 0
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120)
        while read < total + 1, clock.now < deadline {
            let batch = try await reader.fetch(batch: 1000, maxWait: .seconds(1))
            if batch.isEmpty && read >= total { break }
            for m in batch {
                read += 1
                ids.insert(m.header("Nats-Msg-Id") ?? String(decoding: m.payload, as: UTF8.self))
            }
        }
        print("cluster failover: read back \(read) messages, \(ids.count) distinct ids")
        XCTAssertEqual(read, total, "messages read back")
        XCTAssertEqual(ids.count, total, "distinct ids")
        XCTAssertEqual(ids, Set((0..<total).map { "m-\($0)" }))
    }
}
