import ClickHouse
import Foundation
import JetStream
import LocalStack
import RiskSignalCore
import XCTest

/// TLS end to end: certificates made by `openssl` here, nats-server with `tls {}` and the chDB endpoint on HTTPS with a
/// required login, then `rsbench run` (and the pipeline it starts) through both with verification on; with the wrong CA
/// both clients fail at once with a message naming the endpoint and the failed certificate check.
final class TLSEndToEndTests: XCTestCase {
    static let password = "tls-Pa55-e2e"

    var dir = ""
    var started: [Process] = []

    override func tearDown() {
        for p in started where p.isRunning {
            kill(p.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(10)
            while p.isRunning && Date() < deadline { usleep(50_000) }
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        }
        started.removeAll()
        if !dir.isEmpty { try? FileManager.default.removeItem(atPath: dir) }
    }

    static var venv: String { TestStack.projectRoot + "/.rsbench/venv" }
    static var buildDir: String { TestStack.projectRoot + "/.build/debug" }

    @discardableResult
    func run(_ tool: String, _ args: [String], env: [String: String]? = nil, cwd: String? = nil,
             timeout: TimeInterval = 60) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd ?? dir)
        if let env { p.environment = env }
        let out = dir + "/out-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: out, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        p.standardOutput = h
        p.standardError = h
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(50_000) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            XCTFail("\(tool) \(args.joined(separator: " ")) did not finish within \(timeout) s")
        }
        try h.close()
        return (p.terminationStatus, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
    }

    func start(_ tool: String, _ args: [String], env: [String: String]? = nil, log: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        if let env { p.environment = env }
        FileManager.default.createFile(atPath: log, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        p.standardOutput = h
        p.standardError = h
        p.standardInput = FileHandle.nullDevice
        try p.run()
        started.append(p)
        return p
    }

    /// A CA and a server certificate for 127.0.0.1 signed by it, plus an unrelated CA.
    func makeCertificates() throws {
        let openssl = "/usr/bin/openssl"
        for args in [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=rs-test-ca"],
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.pem", "-days", "2", "-subj", "/CN=rs-other-ca"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2",
             "-extfile", "san.ext"],
        ] {
            let r = try run(openssl, args, timeout: 30)
            XCTAssertEqual(r.status, 0, r.output)
        }
    }

    func testPipelineAndRsbenchThroughTLSAndAWrongCAFailsClearly() async throws {
        let natsServer = Self.venv + "/bin/nats-server", python = Self.venv + "/bin/python"
        let rsbench = Self.buildDir + "/rsbench", risksignal = Self.buildDir + "/risksignal"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: natsServer), "run scripts/setup first (nats-server in .rsbench/venv)")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "openssl is needed to make the certificates")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: rsbench) && FileManager.default.isExecutableFile(atPath: risksignal),
                          "build rsbench and risksignal first (swift build --build-tests)")
        let began = ContinuousClock.now
        dir = NSTemporaryDirectory() + "rs-tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: dir + "/san.ext", atomically: true, encoding: .utf8)
        try makeCertificates()

        // nats-server with TLS on its own loopback port.
        let natsPort = LoopbackProbe.freePort(), monitorPort = LoopbackProbe.freePort(), chPort = LoopbackProbe.freePort()
        try """
            listen: "127.0.0.1:\(natsPort)"
            http: "127.0.0.1:\(monitorPort)"
            jetstream { store_dir: "\(dir)/js" }
            tls { cert_file: "\(dir)/server.pem", key_file: "\(dir)/server.key", timeout: 2 }
            """.write(toFile: dir + "/nats.conf", atomically: true, encoding: .utf8)
        _ = try start(natsServer, ["-c", dir + "/nats.conf"], log: dir + "/nats.log")
        // The chDB endpoint on HTTPS, a login required; the password by environment.
        var chEnv = ProcessInfo.processInfo.environment
        chEnv["CHDB_SERVER_PASSWORD"] = Self.password
        _ = try start(python, [TestStack.projectRoot + "/stack/chdb_server.py", "--host", "127.0.0.1", "--port", String(chPort),
                               "--data-dir", dir + "/ch", "--user", "rs", "--tls-cert", dir + "/server.pem", "--tls-key", dir + "/server.key"],
                      env: chEnv, log: dir + "/ch.log")

        var good = ConnectionConfig(natsURLs: ["tls://127.0.0.1:\(natsPort)"], clickHouseURL: "https://127.0.0.1:\(chPort)",
                                    clickHouseUser: "rs", clickHousePassword: Self.password, clickHouseDatabase: "default")
        good.natsTLSCA = dir + "/ca.pem"
        good.clickHouseCAFile = dir + "/ca.pem"
        var chConfig = ClickHouseClientConfig(good)
        chConfig.connectTimeout = .seconds(2)
        chConfig.requestTimeout = .seconds(10)
        let ch = ClickHouseClient(chConfig)
        var up = false, natsUp = false, chError = ""
        for _ in 0..<300 where !up {
            natsUp = LoopbackProbe.httpGet(host: "127.0.0.1", port: monitorPort, path: "/healthz")?.status == 200
            var chUp = false
            do { chUp = try await ch.scalarInt("SELECT 1") == 1 } catch { chError = "\(error)" }
            up = natsUp && chUp
            if !up { try await Task.sleep(for: .milliseconds(100)) }
        }
        XCTAssertTrue(up, "both servers up over TLS (nats \(natsUp), ClickHouse: \(chError)): \((try? String(contentsOfFile: dir + "/ch.log", encoding: .utf8)) ?? "")")
        guard up else { await ch.shutdown(); return }

        // A wrong password is refused by the endpoint.
        var wrongLogin = chConfig
        wrongLogin.password = "nope"
        let wl = ClickHouseClient(wrongLogin)
        do { _ = try await wl.scalarInt("SELECT 1"); XCTFail("a wrong password was accepted") } catch {
            XCTAssertEqual(error.code, 516, "\(error)")
        }
        await wl.shutdown()

        // rsbench run and the pipeline it starts, through both, verification on; the CA by environment.
        let scenario = dir + "/tls.yaml"
        try """
            name: tls
            duration: 4s
            warmup: 1s
            drain_timeout: 20s
            workloads:
              - name: signals
                generator: signals
                rate: 50
            gates:
              - lost == 0
            """.write(toFile: scenario, atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        for (k, v) in good.environmentVariables { env[k] = v }
        env["RSBENCH_HOME"] = dir + "/home"
        let r = try run(rsbench, ["run", scenario, "--out", dir + "/summary.json"], env: env, cwd: TestStack.projectRoot, timeout: 90)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertNil(r.output.range(of: Self.password), "the password is printed")
        let rows = (try? await ch.scalarInt("SELECT count() FROM rsbench.raw_signals")) ?? -1
        XCTAssertGreaterThan(rows, 100, "rows arrived through TLS")
        await ch.shutdown()

        // The wrong CA: both clients fail at once, naming the endpoint and the failed check.
        var bad = good
        bad.natsTLSCA = dir + "/other.pem"
        bad.clickHouseCAFile = dir + "/other.pem"
        var badCH = ClickHouseClientConfig(bad)
        badCH.connectTimeout = .seconds(2)
        let chBad = ClickHouseClient(badCH)
        let t0 = ContinuousClock.now
        do { try await chBad.ping(); XCTFail("the wrong CA was accepted by the ClickHouse client") } catch {
            let text = "\(error)"
            XCTAssertTrue(text.contains("https://127.0.0.1:\(chPort)"), text)
            XCTAssertTrue(text.contains("certificate verify failed"), text)
            XCTAssertTrue(text.contains("other.pem"), text)
        }
        await chBad.shutdown()
        var natsBad = NATSConnectionOptions(bad, name: "tls-wrong-ca")
        natsBad.connectTimeout = .seconds(2)
        do { let c = try await NATSConnection.connect(natsBad); c.close(); XCTFail("the wrong CA was accepted by the NATS client") } catch {
            let text = error.description.lowercased()
            XCTAssertTrue(text.contains("tls://127.0.0.1:\(natsPort)"), text)
            XCTAssertTrue(text.contains("certificate verify failed") || text.contains("ssl"), text)
        }
        XCTAssertLessThan(ContinuousClock.now - t0, .seconds(15), "a wrong CA fails fast, it does not hang")
        // And the pipeline's own command line says so too.
        var badEnv = ProcessInfo.processInfo.environment
        for (k, v) in bad.environmentVariables { badEnv[k] = v }
        let m = try run(risksignal, ["migrate"], env: badEnv, cwd: TestStack.projectRoot, timeout: 30)
        XCTAssertNotEqual(m.status, 0)
        XCTAssertTrue(m.output.lowercased().contains("certificate verify failed") || m.output.lowercased().contains("ssl"), m.output)
        XCTAssertNil(m.output.range(of: Self.password), m.output)
        XCTAssertLessThan(ContinuousClock.now - began, .seconds(60), "bounded")
    }
}
