import ClickHouse
import Foundation
import JetStream
import Reporting
import RiskSignalCore
import Testing

/// Credentials never reach a message, a log line, an error or a report: one redaction, fed through every path.
@Suite("Secret redaction")
struct SecretRedactionTests {
    static let secret = "Sup3rS3cret-9f"

    @Test(arguments: [
        ("nats://alice:\(secret)@nats-1:4222", "nats://alice:***@nats-1:4222"),
        ("tls://alice:\(secret)@nats-1:4222,tls://bob:\(secret)@nats-2:4222", "tls://alice:***@nats-1:4222,tls://bob:***@nats-2:4222"),
        ("nats://\(secret)@nats-1:4222", "nats://***@nats-1:4222"),
        ("http://default:\(secret)@127.0.0.1:8123/", "http://default:***@127.0.0.1:8123/"),
        ("https://u:p%40\(secret)@ch:8443/?database=x", "https://u:***@ch:8443/?database=x"),
        ("http://ch:8123/?user=u&password=\(secret)&database=rs", "http://ch:8123/?user=u&password=***&database=rs"),
        ("https://api.example/v1?access_token=\(secret)", "https://api.example/v1?access_token=***"),
        ("CLICKHOUSE_PASSWORD=\(secret) NATS_TOKEN=\(secret) rsbench run", "CLICKHOUSE_PASSWORD=*** NATS_TOKEN=*** rsbench run"),
        ("cannot reach ClickHouse at \"http://u:\(secret)@h:1\": refused", "cannot reach ClickHouse at \"http://u:***@h:1\": refused"),
        ("api_key='\(secret)' done", "api_key='***' done"),
    ])
    func masksEveryForm(input: String, expected: String) {
        let out = ConnectionConfig.redacted(input)
        #expect(out == expected)
        #expect(!out.contains(Self.secret))
    }

    @Test(arguments: ["nats://127.0.0.1:4222", "http://127.0.0.1:8123/?database=rs&query=SELECT%201", "plain text, key=value; no URL",
                      "e2e_lag.p99 < 500ms", "user@example.com wrote: a=b"])
    func leavesTextWithoutCredentialsAlone(text: String) {
        #expect(ConnectionConfig.redacted(text) == text)
    }

    @Test func clickHouseURLCredentialsMoveOutOfTheURL() throws {
        let c = try ConnectionConfig.fromEnvironment(["CLICKHOUSE_URL": "https://rs:p%40ss\(Self.secret)@ch.example:8443/"])
        #expect(c.clickHouseURL == "https://ch.example:8443")
        #expect(c.clickHouseUser == "rs")
        #expect(c.clickHousePassword == "p@ss\(Self.secret)")
        // Explicit variables win over the URL's.
        let d = try ConnectionConfig.fromEnvironment(["CLICKHOUSE_URL": "http://rs:x@ch:8123", "CLICKHOUSE_PASSWORD": "y"])
        #expect(d.clickHousePassword == "y")
    }

    @Test func environmentForAChildRoundTripsWithoutArgv() throws {
        var c = try ConnectionConfig.fromEnvironment(["NATS_URL": "nats://n:1", "NATS_USER": "u", "NATS_PASSWORD": Self.secret,
                                                      "CLICKHOUSE_URL": "http://ch:8123", "CLICKHOUSE_PASSWORD": Self.secret])
        c.clickHouseCAFile = "/ca.pem"
        let back = try ConnectionConfig.fromEnvironment(c.environmentVariables)
        #expect(back == c)
        // An inherited token the parent did not use is blanked, not passed on.
        #expect(c.environmentVariables["NATS_TOKEN"] == "")
    }

    @Test func configErrorsDoNotEchoTheSecret() {
        do {
            _ = try ConnectionConfig.fromEnvironment(["NATS_URL": "nats://u:\(Self.secret)@h:4222, bad"])
            Issue.record("accepted a bad NATS_URL")
        } catch {
            #expect(!error.description.contains(Self.secret))
            #expect(error.description.contains("NATS_URL"))
        }
    }

    @Test func unreachableClickHouseWithUserAndPasswordDoesNotPrintThem() async throws {
        var cfg = ClickHouseClientConfig(url: "http://alice:\(Self.secret)@127.0.0.1:1", user: "alice", password: Self.secret)
        cfg.connectTimeout = .seconds(1)
        let ch = ClickHouseClient(cfg)
        do {
            try await ch.ping()
            Issue.record("port 1 answered")
        } catch {
            #expect(!"\(error)".contains(Self.secret), "\(error)")
            #expect("\(error)".contains("127.0.0.1:1"))
        }
        do {
            try await ch.execute("SELECT 1")
            Issue.record("port 1 answered")
        } catch {
            #expect(!"\(error)".contains(Self.secret), "\(error)")
        }
        await ch.shutdown()
    }

    @Test func unreachableNATSWithUserAndPasswordDoesNotPrintThem() async throws {
        var o = NATSConnectionOptions(urls: ["nats://alice:\(Self.secret)@127.0.0.1:1"], name: "redaction-test")
        o.connectTimeout = .milliseconds(500)
        o.password = Self.secret
        do {
            let c = try await NATSConnection.connect(o)
            c.close()
            Issue.record("port 1 answered")
        } catch {
            #expect(!error.description.contains(Self.secret), "\(error)")
            #expect(error.description.contains("127.0.0.1:1"))
        }
    }

    @Test func reportFilesCarryNoSecretFromAnErrorNote() throws {
        let err = ClickHouseError.unreachable(url: "http://alice:\(Self.secret)@ch:8123", detail: "connection refused (password=\(Self.secret))")
        let natsErr = NATSError.connect(urls: ["nats://\(Self.secret)@n:4222"], status: "No server available", detail: "")
        var report = RunReport(scenario: ScenarioRef(name: "s", file: "s.yaml", sha256: "x"), startedAt: Date(), endedAt: Date(),
                               verdict: Verdict(status: .error, reasons: ["\(err)"]), environment: .unknown,
                               notes: ["error: \(err)", "error: \(natsErr)"])
        report.invalidReasons = ["\(natsErr)"]
        for writer in StandardWriters.all {
            let text = String(decoding: try writer.render(report), as: UTF8.self)
            #expect(!text.contains(Self.secret), "\(writer.fileName)")
        }
        #expect(!ConsoleSummary.render(report).contains(Self.secret))
    }
}
