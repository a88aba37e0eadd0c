import Alerting
import Capture
import ClickHouse
import Foundation
import JetStream
import LocalStack
@testable import Pipeline
import Replay
import RiskSignalCore
import Scenario
@testable import ScenarioRun
import StandIns
import Synchronization
import XCTest

/// Secrets and control on the real local stack: signed (and explicitly unsigned) webhooks, replay refusing server
/// API subjects, credentials by environment for the pipeline child, `stack up` output, the locked-down endpoint.
final class SecurityTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!
    static let secret = "Sup3rS3cret-7c"

    override class func setUp() { stack = try! TestStack(name: "security") }
    override class func tearDown() { stack.stop() }

    let alert = RiskAlert(id: "order_velocity-user:42-1", rule: "order_velocity", severity: "warning", key: "user:42", observed: 25,
                          threshold: 20, windowSeconds: 10, eventTime: 1_795_000_000_000_000_000, intendedTime: nil, detail: [:])

    func testSignedWebhookVerifiesAndUnsignedOneIsSentWithoutSignature() async throws {
        let checking = WebhookReceiver(secret: "s3cret")
        let (t1, p1) = try await startReceiver(checking)
        defer { t1.cancel() }
        var signed = WebhookSettings()
        signed.secret = "s3cret"
        signed.maxAttempts = 1
        signed.endpoints = [WebhookEndpoint(url: "http://127.0.0.1:\(p1)/alerts")]
        let h1 = WebhookHandler(settings: signed)
        let r1 = await h1.deliver(alert, to: signed.endpoints[0])
        await h1.shutdown()
        XCTAssertTrue(r1.delivered, r1.lastError)
        let d1 = try XCTUnwrap(checking.deliveries.first)
        XCTAssertTrue(d1.signatureValid)
        XCTAssertFalse(WebhookReceiver.verify(signature: try XCTUnwrap(d1.signatureHeader), secret: "s3cret", timestamp: "1", body: d1.body),
                       "a different timestamp does not verify")
        XCTAssertFalse(WebhookReceiver.verify(signature: try XCTUnwrap(d1.signatureHeader), secret: "s3cret", timestamp: "1", body: d1.body + " "))

        // A wrong secret is refused by the checking receiver (401), so the delivery fails.
        var wrong = signed
        wrong.secret = "not-it"
        let h2 = WebhookHandler(settings: wrong)
        let r2 = await h2.deliver(alert, to: wrong.endpoints[0])
        await h2.shutdown()
        XCTAssertFalse(r2.delivered)
        XCTAssertEqual(checking.deliveries.last?.signatureValid, false)

        // --unsigned-webhooks: no signature header at all.
        let open = WebhookReceiver(secret: nil)
        let (t2, p2) = try await startReceiver(open)
        defer { t2.cancel() }
        var unsigned = WebhookSettings()
        unsigned.unsigned = true
        unsigned.maxAttempts = 1
        unsigned.endpoints = [WebhookEndpoint(url: "http://127.0.0.1:\(p2)/alerts")]
        try unsigned.validate()
        let h3 = WebhookHandler(settings: unsigned)
        let r3 = await h3.deliver(alert, to: unsigned.endpoints[0])
        await h3.shutdown()
        XCTAssertTrue(r3.delivered, r3.lastError)
        XCTAssertNil(try XCTUnwrap(open.deliveries.first).signatureHeader)
    }

    func testReplayOfAJetStreamAPISubjectIsRefusedAndTheStreamStaysIntact() async throws {
        let nats = try await Self.stack.nats("security-replay")
        defer { nats.close() }
        let js = try nats.jetStream()
        try await js.ensureStream(StreamCatalog.marketTrades)
        for i in 0..<5 {
            _ = try await js.publish(OutgoingMessage(subject: "market.trades.BTC-USD", text: "{\"i\":\(i)}", messageID: "sec-\(i)-\(UUID().uuidString)"))
        }
        let before = try await js.streamState(StreamCatalog.marketTrades.name).messages
        XCTAssertGreaterThanOrEqual(before, 5)

        let path = NSTemporaryDirectory() + "purge-\(UUID().uuidString).ndjson.zst"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let w = try RecordingWriter(path: path)
        try w.write(receiveNanos: 1_700_000_000_000_000_000, subject: "market.trades.BTC-USD", payload: Array("{\"x\":1}".utf8))
        try w.write(receiveNanos: 1_700_000_000_001_000_000, subject: "$JS.API.STREAM.PURGE.\(StreamCatalog.marketTrades.name)", payload: Array("{}".utf8))
        try w.write(receiveNanos: 1_700_000_000_002_000_000, subject: "$JS.API.STREAM.DELETE.\(StreamCatalog.marketTrades.name)", payload: [])
        try w.close()

        var runner = ReplayRunner(path: path, options: ReplayOptions(), projectRoot: TestStack.projectRoot, output: { _ in })
        runner.natsURL = Self.stack.stack.config.natsURL
        runner.options.topSpeed = true
        do {
            _ = try await runner.run()
            XCTFail("the replay ran")
        } catch {
            XCTAssertTrue("\(error)".contains("line 2"), "\(error)")
            XCTAssertTrue("\(error)".contains("$JS.API.STREAM.PURGE"), "\(error)")
        }
        let after = try await js.streamState(StreamCatalog.marketTrades.name).messages
        XCTAssertEqual(after, before, "nothing purged, deleted or published")

        // With --allow-subjects 'custom.>' a custom subject goes through (and nothing else changes).
        let custom = NSTemporaryDirectory() + "custom-\(UUID().uuidString).ndjson.zst"
        defer { try? FileManager.default.removeItem(atPath: custom) }
        let w2 = try RecordingWriter(path: custom)
        try w2.write(receiveNanos: 1_700_000_000_000_000_000, subject: "custom.x", payload: Array("{\"c\":1}".utf8))
        try w2.close()
        // A stream for the custom subject, so its JetStream publish is acknowledged.
        try await js.ensureStream(StreamSpec(name: "CUSTOM_SEC", subjects: ["custom.>"], maxAge: .seconds(3600)))
        let sub = try await nats.subscribe("custom.>")
        var allowed = ReplayRunner(path: custom, options: ReplayOptions(), projectRoot: TestStack.projectRoot, output: { _ in })
        allowed.natsURL = Self.stack.stack.config.natsURL
        allowed.options.topSpeed = true
        allowed.options.subjects = try SubjectAllowList(patterns: ["custom.>"])
        let outcome = try await allowed.run()
        XCTAssertEqual(outcome.counts.published, 1)
        let got = try await sub.next(max: 10, wait: .seconds(5))
        XCTAssertEqual(got.first?.subject, "custom.x")
    }

    func testPipelineChildGetsCredentialsByEnvironmentNotArgv() async throws {
        let scenario = try ScenarioParser.parse("""
            name: secrets
            duration: 2s
            workloads:
              - name: signals
                generator: signals
                rate: 1
            """, file: "secrets.yaml")
        var connection = Self.stack.connection
        let (url, _, _) = ConnectionConfig.splitUserInfo(Self.stack.stack.config.natsURL)
        // The local nats-server has no auth and ignores the credentials; the ClickHouse endpoint has none configured.
        connection.natsURLs = [url.replacingOccurrences(of: "nats://", with: "nats://rs:\(Self.secret)@")]
        connection.clickHousePassword = Self.secret
        let launcher = PipelineLauncher(scenario: scenario, connection: connection, database: "secrets_db", projectRoot: TestStack.projectRoot,
                                        say: { _ in })
        var receiverTask: Task<Void, Error>?
        defer { receiverTask?.cancel() }
        let launched = try await launcher.launch(consumers: ["signals"], receiverTask: &receiverTask)
        defer { launched.process.stop(grace: .seconds(10)) }
        let cmdline = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(launched.process.pid)/cmdline"))
        XCTAssertFalse(cmdline.isEmpty)
        XCTAssertNil(String(decoding: cmdline, as: UTF8.self).range(of: Self.secret), "the secret is in the child's argv")
        XCTAssertNil(String(decoding: cmdline, as: UTF8.self).range(of: "--clickhouse-url"))
        let environ = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "/proc/\(launched.process.pid)/environ")), as: UTF8.self)
        XCTAssertTrue(environ.contains("CLICKHOUSE_PASSWORD=\(Self.secret)"), "the child got its credentials by environment")
        XCTAssertTrue(environ.contains("NATS_URL=nats://rs:\(Self.secret)@"))
    }

    func testStackUpOutputCarriesNoPassword() throws {
        // What `rsbench stack up` prints: its log lines and status show `config.clickHouseURL`, then the export line.
        let env = ["CLICKHOUSE_URL": "http://default:\(Self.secret)@127.0.0.1:8123/?password=\(Self.secret)",
                   "CHDB_SERVER_PASSWORD": Self.secret, "RSBENCH_HOME": NSTemporaryDirectory() + "unused"]
        let external = try StackConfig.fromEnvironment(env, projectRoot: TestStack.projectRoot)
        XCTAssertNil(external.clickHouseURL.range(of: Self.secret), external.clickHouseURL)
        XCTAssertNil(external.exportLine(environment: env).range(of: Self.secret))
        XCTAssertTrue(external.exportLine(environment: env).contains("keep your own setting"))
        XCTAssertNil(LocalStack(config: external).status().description.range(of: Self.secret))
        var local = try StackConfig.fromEnvironment(["CHDB_SERVER_USER": "rs", "CHDB_SERVER_PASSWORD": Self.secret], projectRoot: TestStack.projectRoot)
        local.home = NSTemporaryDirectory() + "unused"
        let line = local.exportLine(environment: ["CHDB_SERVER_USER": "rs", "CHDB_SERVER_PASSWORD": Self.secret])
        XCTAssertNil(line.range(of: Self.secret), line)
        XCTAssertTrue(line.contains("CLICKHOUSE_USER=rs"), line)
    }

    /// The real `rsbench stack up` with a login on the local endpoint: nothing it prints carries the password, the
    /// endpoint got it by environment (not argv), and it refuses a wrong one.
    func testRealStackUpPrintsNoPasswordAndTheEndpointChecksIt() async throws {
        let binary = TestStack.projectRoot + "/.build/debug/rsbench"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary), "build the executables first (`swift build`)")
        let home = NSTemporaryDirectory() + "rsbench-secret-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let printedFile = home + "-up.log"
        defer { try? FileManager.default.removeItem(atPath: home); try? FileManager.default.removeItem(atPath: printedFile) }
        let chPort = LoopbackProbe.freePort()
        var env = ProcessInfo.processInfo.environment
        env["RSBENCH_HOME"] = home
        env["NATS_PORT"] = String(LoopbackProbe.freePort())
        env["NATS_MONITOR_PORT"] = String(LoopbackProbe.freePort())
        env["CLICKHOUSE_PORT"] = String(chPort)
        env["CHDB_SERVER_USER"] = "rs"
        env["CHDB_SERVER_PASSWORD"] = Self.secret
        env.removeValue(forKey: "CLICKHOUSE_URL")
        env.removeValue(forKey: "NATS_URL")
        let up = try Spawned.start(binary, ["stack", "up"], env: env, cwd: TestStack.projectRoot, output: printedFile)
        let upCode = Spawned.wait(up, timeout: .seconds(90))
        defer { _ = try? Spawned.wait(Spawned.start(binary, ["stack", "down"], env: env, cwd: TestStack.projectRoot), timeout: .seconds(30)) }
        let printed = (try? String(contentsOfFile: printedFile, encoding: .utf8)) ?? ""
        XCTAssertEqual(upCode, 0, printed)
        XCTAssertTrue(printed.contains("export NATS_URL="), printed)
        XCTAssertTrue(printed.contains("CLICKHOUSE_USER=rs"), printed)
        XCTAssertNil(printed.range(of: Self.secret), printed)
        // The endpoint's command line (readable by any local user) has no password either.
        let state = try Data(contentsOf: URL(fileURLWithPath: home + "/stack.json"))
        let pids = try JSONDecoder().decode([[String: AnyDecodable]].self, from: state).compactMap { $0["pid"]?.int }
        XCTAssertEqual(pids.count, 2)
        for pid in pids {
            let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
            XCTAssertFalse(cmdline.isEmpty)
            XCTAssertNil(String(decoding: cmdline, as: UTF8.self).range(of: Self.secret), "pid \(pid)'s argv")
        }
        // And the login is checked: the right password answers, a wrong one is refused.
        let base = "http://127.0.0.1:\(chPort)"
        let good = ClickHouseClient(ClickHouseClientConfig(url: base, user: "rs", password: Self.secret))
        let bad = ClickHouseClient(ClickHouseClientConfig(url: base, user: "rs", password: "Wr0ngPassw0rd"))
        let one = try await good.query("SELECT 1 AS one", format: "TSV").text
        XCTAssertEqual(one.trimmingCharacters(in: .whitespacesAndNewlines), "1")
        do {
            _ = try await bad.query("SELECT 1")
            XCTFail("a wrong password was accepted")
        } catch {
            XCTAssertTrue("\(error)".contains("516") || "\(error)".lowercased().contains("authentication"), "\(error)")
            XCTAssertNil("\(error)".range(of: "Wr0ngPassw0rd"), "the error repeats the password")
        }
        await good.shutdown()
        await bad.shutdown()
    }

    /// A JSON number or string, for reading `stack.json` without its model.
    struct AnyDecodable: Decodable {
        let int: Int32?
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            int = try? c.decode(Int32.self)
        }
    }

    func testEndpointRefusesFilesURLsAndMultiStatementsButRunsTheProjectsSQL() async throws {
        let ch = Self.stack.clickHouse()
        defer { Task { await ch.shutdown() } }
        for (sql, code) in [("SELECT * FROM file('/etc/passwd', 'LineAsString')", 497), ("SELECT 1 INTO OUTFILE '/tmp/rs-sec-out.tsv'", 497),
                            ("SELECT 1; SELECT 2", 62), ("SYSTEM FLUSH LOGS", 497), ("SELECT * FROM url('http://127.0.0.1:1/', CSV, 'a String')", 497)] {
            do {
                _ = try await ch.query(sql)
                XCTFail("ran: \(sql)")
            } catch {
                XCTAssertEqual(error.code, code, "\(sql): \(error)")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/rs-sec-out.tsv"))
        // The project's own migrations (DDL, materialised views, ALTERs) all pass the checks.
        let client = Self.stack.clickHouse()
        let applied = try await Migrator(client: client, database: "security_migrate").migrate()
        await client.shutdown()
        XCTAssertFalse(applied.isEmpty)
        let tables = try await ch.scalarInt("SELECT count() FROM system.tables WHERE database = 'security_migrate' AND name = 'trades'")
        XCTAssertEqual(tables, 1)
    }
}
