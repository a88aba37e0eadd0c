import RiskSignalCore
import Testing

@Suite("Connection configuration")
struct ConfigTests {
    @Test func defaultsPointAtTheLocalStack() throws {
        let c = try ConnectionConfig.fromEnvironment([:])
        #expect(c.natsURLs == ["nats://127.0.0.1:4222"])
        #expect(c.clickHouseURL == "http://127.0.0.1:8123")
        #expect(c.clickHouseDatabase == "risksignal")
        #expect(c.clickHouseUser == "default")
        #expect(!c.natsTLSEnabled)
    }

    @Test func readsEveryVariable() throws {
        let c = try ConnectionConfig.fromEnvironment([
            "NATS_URL": "nats://a:4222, nats://b:4222", "NATS_USER": "u", "NATS_PASSWORD": "p",
            "CLICKHOUSE_URL": "https://ch.example:8443/", "CLICKHOUSE_USER": "admin",
            "CLICKHOUSE_PASSWORD": "secret", "CLICKHOUSE_DATABASE": "rs_prod", "NATS_TLS_CA": "/ca.pem",
        ])
        #expect(c.natsURLs == ["nats://a:4222", "nats://b:4222"])
        #expect(c.natsUser == "u")
        #expect(c.clickHouseURL == "https://ch.example:8443")
        #expect(c.clickHouseUser == "admin")
        #expect(c.clickHousePassword == "secret")
        #expect(c.clickHouseDatabase == "rs_prod")
        #expect(c.natsTLSEnabled)
    }

    @Test(arguments: [
        (["NATS_URL": "localhost:4222"], "NATS_URL"),
        (["CLICKHOUSE_URL": "127.0.0.1:8123"], "CLICKHOUSE_URL"),
        (["CLICKHOUSE_DATABASE": "rs-prod"], "CLICKHOUSE_DATABASE"),
        (["NATS_TLS_CERT": "/c.pem"], "NATS_TLS_KEY"),
    ])
    func badValuesNameTheVariable(env: [String: String], variable: String) {
        do {
            _ = try ConnectionConfig.fromEnvironment(env)
            Issue.record("accepted \(env)")
        } catch {
            #expect(error.description.hasPrefix(variable), "\(error)")
        }
    }
}
