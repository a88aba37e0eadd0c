import ClickHouse
import LocalStack
import Foundation
import RiskSignalCore
import XCTest

/// The ClickHouse module against the real chDB endpoint over loopback.
final class ClickHouseClientTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() {
        do { stack = try TestStack(name: "clickhouse") } catch { fatalError("cannot start the local stack: \(error)") }
    }

    override class func tearDown() { stack?.stop() }

    func testServerErrorsReachTheCallerTypedWithTheirCode() async throws {
        let ch = Self.stack.clickHouse()
        defer { Task { await ch.shutdown() } }
        do {
            _ = try await ch.query("SELECT * FROM no_such_table_here")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.code, 60)
            guard case .server(_, let name, let message, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "UNKNOWN_TABLE")
            XCTAssertTrue(message.contains("no_such_table_here"), message)
            XCTAssertFalse(error.isRetryable, "an unknown table does not fix itself")
        }
        do {
            try await ch.execute("SELEKT 1")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.code, 62)
            XCTAssertFalse(error.isRetryable)
        }
        do {
            _ = try await ch.query("SELECT 1", settings: ["no_such_setting_xyz": "1"])
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.code, 115)
        }
    }

    func testRetryableClassification() {
        XCTAssertTrue(ClickHouseError.server(code: 252, name: "TOO_MANY_PARTS", message: "", query: "").isRetryable)
        XCTAssertTrue(ClickHouseError.server(code: 241, name: nil, message: "", query: "").isRetryable)
        XCTAssertFalse(ClickHouseError.server(code: 27, name: nil, message: "", query: "").isRetryable)
        XCTAssertTrue(ClickHouseError.unreachable(url: "x", detail: "refused").isRetryable)
        XCTAssertTrue(ClickHouseError.http(status: 503, body: "", url: "x").isRetryable)
        XCTAssertFalse(ClickHouseError.http(status: 404, body: "", url: "x").isRetryable)
    }

    func testBatchInsertWithZstdBodySettingsAndDeduplicationToken() async throws {
        let setup = Self.stack.clickHouse()
        try await setup.execute("CREATE DATABASE IF NOT EXISTS chtest", useDatabase: false)
        await setup.shutdown()
        var config = ClickHouseClientConfig(url: Self.stack.stack.config.clickHouseURL, database: "chtest")
        config.compressInserts = true
        let ch = ClickHouseClient(config)
        defer { Task { await ch.shutdown() } }
        try await ch.execute("""
            CREATE TABLE IF NOT EXISTS t (id UInt32, at DateTime64(3), s String)
            ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100
            """)
        let now = Timestamp(nanosSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9))
        var batch = InsertBatch()
        for i in 0..<10_000 { batch.append(row: "{\"id\":\(i),\"at\":\"\(now.clickHouseDateTime64)\",\"s\":\(JSONText.quoted("row \(i) \"quoted\" \\ ünïcode"))}") }
        let summary = try await ch.insert(into: "t", batch: batch, deduplicationToken: "batch-1")
        XCTAssertEqual(summary.writtenRows, 10_000)
        // The same batch again with the same token: deduplicated.
        try await ch.insert(into: "t", batch: batch, deduplicationToken: "batch-1")
        var count = try await ch.scalarInt("SELECT count() FROM t")
        XCTAssertEqual(count, 10_000)
        // A new token inserts again.
        try await ch.insert(into: "t", batch: batch, deduplicationToken: "batch-2")
        count = try await ch.scalarInt("SELECT count() FROM t")
        XCTAssertEqual(count, 20_000)
        // DateTime64 from "seconds.fraction" keeps the milliseconds, and strings round-trip.
        let rows = try await ch.rows("SELECT toUnixTimestamp64Milli(at) AS ms, s FROM t WHERE id = 7 LIMIT 1")
        XCTAssertEqual(rows.first?["ms"], .int(now.nanosSinceEpoch / 1_000_000))
        XCTAssertEqual(rows.first?["s"], .string("row 7 \"quoted\" \\ ünïcode"))
        // Per-query settings are applied.
        let quoted = try await ch.query("SELECT toUInt64(5) AS n", format: "JSONEachRow", settings: ["output_format_json_quote_64bit_integers": "1"])
        let plain = try await ch.query("SELECT toUInt64(5) AS n", format: "JSONEachRow", settings: ["output_format_json_quote_64bit_integers": "0"])
        XCTAssertEqual(quoted.text.trimmingCharacters(in: .whitespacesAndNewlines), "{\"n\":\"5\"}")
        XCTAssertEqual(plain.text.trimmingCharacters(in: .whitespacesAndNewlines), "{\"n\":5}")
    }

    func testUnreachableServerFailsFastNamingTheURL() async throws {
        let port = LoopbackProbeForTests.unusedPort()
        let url = "http://127.0.0.1:\(port)"
        let ch = ClickHouseClient(ClickHouseClientConfig(url: url))
        defer { Task { await ch.shutdown() } }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try await ch.ping()
            XCTFail("expected unreachable")
        } catch {
            guard case .unreachable = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.description.contains(url), error.description)
            XCTAssertTrue(error.isRetryable)
        }
        XCTAssertLessThan(clock.now - start, .seconds(5))
    }

    func testRowsAndScalarParsing() async throws {
        let ch = Self.stack.clickHouse()
        defer { Task { await ch.shutdown() } }
        try await ch.ping()
        let rows = try await ch.rows("SELECT number AS n, toString(number) AS s, number % 2 = 0 AS even FROM system.numbers LIMIT 3")
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(rows[2]["n"], .int(2))
        XCTAssertEqual(rows[2]["s"], .string("2"))
        let n = try await ch.scalarInt("SELECT sum(number) FROM numbers(101)")
        XCTAssertEqual(n, 5050)
    }
}

enum LoopbackProbeForTests {
    /// A port nothing listens on: bound and released by us, so a connect is refused.
    static func unusedPort() -> Int { LoopbackProbe.freePort() }
}
