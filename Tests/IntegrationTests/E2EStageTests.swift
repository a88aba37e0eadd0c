import ClickHouse
import Foundation
import Measurement
import Pipeline
import Reporting
import RiskSignalCore
import Scenario
@testable import ScenarioRun
import XCTest

/// The e2e lag split into stages, on the real stack: migration 5 (fresh and over an older schema), the stage queries
/// on rows with known instants, and a short real run whose report carries every stage.
final class E2EStageTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() { stack = try! TestStack(name: "stages") }
    override class func tearDown() { stack.stop() }

    func columns(_ ch: ClickHouseClient, db: String, table: String) async throws -> [String: (type: String, codec: String)] {
        var out: [String: (String, String)] = [:]
        for r in try await ch.rows("SELECT name, type, compression_codec FROM system.columns WHERE database = '\(db)' AND table = '\(table)'") {
            guard case .string(let n)? = r["name"], case .string(let t)? = r["type"], case .string(let c)? = r["compression_codec"] else { continue }
            out[n] = (t, c)
        }
        return out
    }

    func testMigrationFiveAddsTheStageColumnsToAFreshSchema() async throws {
        let db = "stages_fresh"
        let ch = Self.stack.clickHouse(database: db)
        defer { Task { await ch.shutdown() } }
        try await ch.execute("DROP DATABASE IF EXISTS \(db)", useDatabase: false)
        try await Migrator(client: ch, database: db).migrate()
        let version = try await Migrator(client: ch, database: db).currentVersion()
        XCTAssertEqual(version, SchemaMigrations.all(database: db).map(\.version).max())
        XCTAssertGreaterThanOrEqual(version, 5)
        for t in SchemaMigrations.stagedTables {
            let cols = try await columns(ch, db: db, table: t)
            for c in ["fetched_at", "insert_sent_at"] {
                XCTAssertEqual(cols[c]?.type, "Nullable(DateTime64(6))", "\(t).\(c)")
                XCTAssertTrue(cols[c]?.codec.contains("Delta") == true && cols[c]?.codec.contains("ZSTD") == true, "\(t).\(c): \(cols[c]?.codec ?? "missing")")
            }
        }
        // Tables that are not one row per consumed event get no stage columns.
        let dead = try await columns(ch, db: db, table: "dead_letters")
        XCTAssertNil(dead["fetched_at"])
    }

    /// A schema migrated by an older pipeline (up to 4), holding an older row, is upgraded in place; the old row keeps
    /// NULL instants, is counted as unstamped, and does not disturb the percentiles of rows with known instants.
    func testUpgradeKeepsOldRowsAndTheStageQueriesGiveTheKnownPercentiles() async throws {
        let db = "stages_upgrade"
        let ch = Self.stack.clickHouse(database: db)
        defer { Task { await ch.shutdown() } }
        try await ch.execute("DROP DATABASE IF EXISTS \(db)", useDatabase: false)
        let older = SchemaMigrations.all(database: db).filter { $0.version <= 4 }
        try await Migrator(client: ch, database: db, migrations: older).migrate()
        let before = try await columns(ch, db: db, table: "trades")
        XCTAssertNil(before["fetched_at"])

        let now = Timestamp.now().nanosSinceEpoch
        // A minute ago (inside the accepted event-time window), on a whole millisecond like ingested_at.
        let base = (now - 60_000_000_000) / 1_000_000 * 1_000_000
        func ts(_ ns: Int64) -> String { Timestamp(nanosSinceEpoch: ns).clickHouseDateTime64Micro }
        func row(_ id: String, intended: Int64, extra: String = "", ingested: Int64? = nil) -> String {
            let ing = ingested.map { ",\"ingested_at\":\"\(Timestamp(nanosSinceEpoch: $0).clickHouseDateTime64)\"" } ?? ""
            return #"{"event_time":"\#(Timestamp(nanosSinceEpoch: now).clickHouseDateTime64)","symbol":"BTCUSDT","trade_id":1,"price":1,"quantity":1,"side":"BUY","taker":true,"order_id":1,"metadata":"{}","event_id":"\#(id)","intended_at":"\#(ts(intended))"\#(ing)\#(extra)}"#
        }
        // What an older pipeline wrote: no stage columns at all.
        var old = InsertBatch()
        old.append(row: row("old-1", intended: base + 5_000_000, ingested: base + 900_000_000))
        try await ch.insert(into: "trades", batch: old)

        let applied = try await Migrator(client: ch, database: db).migrate()
        XCTAssertEqual(applied.map(\.version), [5, 6, 7, 8])
        // Migration 7: the alert stage instants.
        let stageColumns = try await ch.scalarInt("SELECT count() FROM system.columns WHERE database = '\(db)' AND table = 'alerts_history' AND name IN (\(SchemaMigrations.alertStageColumns.map { "'\($0)'" }.joined(separator: ",")))")
        XCTAssertEqual(stageColumns, Int64(SchemaMigrations.alertStageColumns.count))
        // Migration 6: the freshness index the stage poller's `ingested_at >= now − 10 s` filter uses.
        let indexed = try await ch.scalarInt("SELECT count() FROM system.data_skipping_indices WHERE database = '\(db)' AND name = 'ingested_at_minmax' AND type = 'minmax' AND expr = 'ingested_at'")
        XCTAssertEqual(indexed, Int64(SchemaMigrations.stagedTables.count))
        let again = try await Migrator(client: ch, database: db).migrate()
        XCTAssertEqual(again.count, 0, "migrating again changes nothing")
        let nulls = try await ch.scalarInt("SELECT count() FROM trades WHERE fetched_at IS NULL AND insert_sent_at IS NULL")
        XCTAssertEqual(nulls, 1)

        // 101 rows with stages of exactly i, 2i and 3i ms (i = 0…100), so exact quantiles are known:
        // ClickHouse's quantileExact at level q over n values takes the element at floor(q·n) → p50 = 50, p99 = 99 (× 1, 2, 3 ms).
        var batch = InsertBatch()
        let ms: Int64 = 1_000_000
        for i in Int64(0)...100 {
            let intended = base + i * 10 * ms
            let fetched = intended + i * ms, sent = fetched + 2 * i * ms, ingested = sent + 3 * i * ms
            batch.append(row: row("new-\(i)", intended: intended, extra: ",\"fetched_at\":\"\(ts(fetched))\",\"insert_sent_at\":\"\(ts(sent))\"", ingested: ingested))
        }
        // Outside the window: not counted anywhere.
        batch.append(row: row("late", intended: base + 5_000 * ms, extra: ",\"fetched_at\":\"\(ts(base + 5_000 * ms))\",\"insert_sent_at\":\"\(ts(base + 5_000 * ms))\"",
                              ingested: base + 9_000 * ms))
        try await ch.insert(into: "trades", batch: batch)

        let window = MeasuredWindow(start: base, end: base + 2_000 * ms)
        let stages = try await EndToEndStages(ch: ch, window: window).measure(tables: ["trades"])
        let trades = try XCTUnwrap(stages.tables.first)
        XCTAssertEqual(trades.stampedRows, 101)
        XCTAssertEqual(trades.unstampedRows, 1)
        for (name, k) in [("fetch_wait", 1.0), ("batch_wait", 2.0), ("insert", 3.0)] {
            let s = try XCTUnwrap(trades.stages[name], name)
            XCTAssertEqual(s.count, 101, name)
            XCTAssertEqual(s.p50, 50 * k, accuracy: 1e-6, name)
            XCTAssertEqual(s.p90, 90 * k, accuracy: 1e-6, name)
            XCTAssertEqual(s.p99, 99 * k, accuracy: 1e-6, name)
            XCTAssertEqual(s.max, 100 * k, accuracy: 1e-6, name)
            XCTAssertEqual(s.mean, 50 * k, accuracy: 1e-6, name)
            XCTAssertEqual(stages.overall[name], s, "one table: the overall distribution is that table's")
        }
        // The stages telescope: their means add up to the e2e lag's mean over the same rows.
        let lag = try await EndToEndLag(ch: ch, window: window, database: db).measure(tables: ["trades"])
        let e2eStamped = try await ch.rows("SELECT avg(dateDiff('microsecond', intended_at, ingested_at)) AS m FROM trades WHERE fetched_at IS NOT NULL AND event_id != 'late'")
        XCTAssertEqual(lag.tables.first?.rows, 102)
        let mean = try XCTUnwrap(e2eStamped.first.flatMap { r -> Double? in
            switch r["m"] { case .double(let d)?: d; case .int(let i)?: Double(i); case .string(let s)?: Double(s); default: nil }
        })
        XCTAssertEqual(mean / 1000, 300, accuracy: 1e-6)
    }

    /// A short real run: rsbench, the risksignal pipeline and the stack. Every stage is measured for each table, the
    /// per-row stages add up to the table's e2e lag, the stage gates are evaluated, and the writers carry them.
    func testAShortRunReportsEveryStagePerTable() async throws {
        let yaml = """
            name: stages
            duration: 5s
            warmup: 1s
            drain_timeout: 30s
            limits: { schedule_lag_p99: 30s, rsbench_cpu: 100% }
            workloads:
              - name: trades
                generator: trades
                rate: 200
                params: { symbols: 3 }
              - name: orders
                generator: orders
                rate: 100
            gates:
              - lost == 0
              - e2e_stage.batch_wait.p99 < 30s
              - e2e_stage.insert.p99.trades < 30s
              - e2e_stage.visible.p50 >= 0ms
            """
        let scenario = try ScenarioParser.parse(yaml, file: "stages.yaml")
        var o = RunOverrides()
        o.natsURL = Self.stack.stack.config.natsURL
        o.clickHouseURL = Self.stack.stack.config.clickHouseURL
        o.database = "stages_run"
        let report = await ScenarioRunner(scenario: scenario, overrides: o, projectRoot: TestStack.projectRoot, output: { _ in }).run()
        XCTAssertEqual(report.lost, 0, "\(report.notes)")
        let stages = try XCTUnwrap(report.stages, "\(report.notes)")
        XCTAssertEqual(Set(stages.tables.map(\.table)), ["trades", "user_orders"])
        for t in stages.tables {
            let e2e = try XCTUnwrap(report.tables.first { $0.table == t.table }?.e2eLag)
            XCTAssertEqual(t.stampedRows, e2e.count, "every row of the new pipeline carries its instants")
            XCTAssertEqual(t.unstampedRows, 0)
            for name in E2EStages.names {
                let s = try XCTUnwrap(t.stages[name], "\(t.table).\(name)")
                XCTAssertGreaterThan(s.count, 0, "\(t.table).\(name)")
                XCTAssertGreaterThanOrEqual(s.p50, 0, "\(t.table).\(name)")
            }
            // fetch_wait + batch_wait + insert is each row's e2e lag (insert floors at 0 on ms-resolution ingested_at).
            let sum = t.stages["fetch_wait"]!.mean + t.stages["batch_wait"]!.mean + t.stages["insert"]!.mean
            XCTAssertEqual(sum, e2e.mean, accuracy: 1.0, t.table)
        }
        XCTAssertEqual(stages.visiblePollMs, 500)
        for g in report.gates where g.metric.hasPrefix("e2e_stage") {
            XCTAssertNotNil(g.measured, g.expression)
            XCTAssertEqual(g.verdict, .pass, g.expression)
        }
        let md = MarkdownReportWriter().markdown(report)
        XCTAssertTrue(md.contains("| user_orders |"), md)
        XCTAssertTrue(HTMLReportWriter().html(report).contains("data-bar=\"trades\" data-segment=\"batch_wait\""))
        let back = try RunReport.decode(from: Data(try SummaryJSONWriter().render(report)))
        XCTAssertEqual(back.stages, report.stages)
    }
}
