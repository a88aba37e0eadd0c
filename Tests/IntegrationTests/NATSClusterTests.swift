import ClickHouse
import Foundation
import Generators
import JetStream
import LoadDriver
import LocalStack
import Pipeline
import RiskSignalCore
import XCTest

/// A real 3-node nats-server cluster on loopback, started by `LocalStack` (issue 15): start, status and stop of every
/// node, and publishers that lose no message and store none twice when the stream leader is SIGKILLed mid-run.
final class NATSClusterTests: XCTestCase {
    /// Starts only the NATS nodes of a stack with `nodes` servers on free loopback ports in a temp home.
    func startNATS(nodes: Int, _ name: String) throws -> LocalStack {
        try requireNATSServer()
        let home = NSTemporaryDirectory() + "rsbench-cluster-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        return try TestStack.start(home: home, natsNodes: nodes) { try $0.upNATS() }
    }

    func requireNATSServer() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: TestStack.projectRoot + "/.rsbench/venv/bin/nats-server"),
                          "nats-server is missing: run scripts/setup")
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

    /// The same loss, end to end: rsbench's load driver (`CountedWorkload`) publishes 20k signals into an R3 SIGNALS
    /// stream while its leader is SIGKILLed, and the signals consumer stores them in ClickHouse: `FINAL` count and
    /// distinct event ids are both 20k, none failed.
    func testLeaderKilledDuringALoadRunReachesClickHouseExactlyOnce() async throws {
        try requireNATSServer()
        let s = try TestStack(name: "cluster-e2e", natsNodes: 3)
        defer { s.stop() }
        let ch = s.clickHouse(database: "risksignal")
        defer { Task { await ch.shutdown() } }
        try await Migrator(client: ch, database: "risksignal").migrate()
        let nats = try await s.nats("cluster-e2e")
        defer { nats.close() }
        let js = try nats.jetStream()
        let signals = StreamCatalog.signals.withReplicas(3)
        try await js.ensureStream(signals)
        try await js.ensureStream(StreamCatalog.deadLetters.withReplicas(3))
        var leader = ""
        try await eventually(timeout: .seconds(30), "an R3 SIGNALS leader with two current replicas") {
            guard let p = try? await js.streamPlacement(signals.name) else { return false }
            leader = p.leader
            return !p.leader.isEmpty && p.peers.count == 2 && p.peers.allSatisfy(\.current)
        }

        // 20k at 4k/s: about five seconds of publishing; the leader dies two seconds in.
        let n = 20_000
        let workload = CountedWorkload(name: "signals", generator: try SignalGenerator(seed: 15), rate: 4_000, count: n)
        let run = Task { try await workload.run(connection: nats, ackTimeout: .seconds(120)) }
        try await Task.sleep(for: .seconds(2))
        leader = try await js.streamPlacement(signals.name).leader
        let node = try XCTUnwrap(s.stack.config.natsNodeList.first { $0.serverName == leader }, "leader \(leader) is one of ours")
        s.stack.kill(service: node.service)
        let counts = try await run.value
        print("cluster e2e: killed \(node.service) (leader \(leader)); generated \(counts.generated), published \(counts.published), acked \(counts.acked), duplicates \(counts.duplicates), retries \(counts.retries), failed \(counts.failed)")
        XCTAssertEqual(counts.published, UInt64(n))
        XCTAssertEqual(counts.acked, UInt64(n))
        XCTAssertEqual(counts.failed, 0, counts.lastError ?? "")

        var consumer: PullConsumer?
        try await eventually(timeout: .seconds(30), "the signals consumer created after the failover") {
            consumer = try? await js.pullConsumer(ConsumerSpec(stream: signals.name, durable: "signals-to-clickhouse", filterSubject: "signals.>"))
            return consumer != nil
        }
        let ingestor = StreamIngestor(name: "signals", consumer: try XCTUnwrap(consumer), clickHouse: ch, handler: EncoderHandler(SignalRowEncoder()),
                                      policy: BatchPolicy(batchSize: 1_000, maxWait: .milliseconds(200)))
        try await ingestor.run(stopWhenIdle: 2)

        let final = try await ch.scalarInt("SELECT count() FROM raw_signals FINAL")
        let distinct = try await ch.scalarInt("SELECT uniqExact(event_id) FROM raw_signals")
        let raw = try await ch.scalarInt("SELECT count() FROM raw_signals")
        print("cluster e2e: raw_signals \(raw) rows, FINAL \(final), distinct event ids \(distinct)")
        XCTAssertEqual(final, Int64(n), "FINAL count")
        XCTAssertEqual(distinct, Int64(n), "distinct event ids")
    }
}
