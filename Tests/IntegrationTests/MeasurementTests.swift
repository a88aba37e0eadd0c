import ClickHouse
import Foundation
import JetStream
import LoadDriver
import Measurement
import Pipeline
import Reporting
import RiskSignalCore
import Scenario
@testable import ScenarioRun
import XCTest

/// What rsbench measures, checked against the real stack: coordinated omission, and the loss cross-check.
final class MeasurementTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() { stack = try! TestStack(name: "measure") }
    override class func tearDown() { stack.stop() }

    /// A closed-loop sender (at most 10 events not yet stored) at a constant 100/s, with the ClickHouse endpoint
    /// frozen for 1.2 s mid-run: the sender freezes with it, so latency measured from the *actual* send hides the
    /// stall, while latency from the *intended* send (the schedule) shows it.
    func testAOneSecondClickHouseStallShowsInCorrectedLagOnly() async throws {
        let yaml = """
            name: co-stall
            duration: 12s
            warmup: 2s
            drain_timeout: 30s
            limits: { schedule_lag_p99: 30s, rsbench_cpu: 100% }
            pipeline:
              max_wait: { trades: 20ms }
            workloads:
              - name: trades
                generator: trades
                rate: 100
                closed_loop: 10
                params: { symbols: 3 }
            """
        let scenario = try ScenarioParser.parse(yaml, file: "co-stall.yaml")
        var o = RunOverrides()
        o.natsURL = Self.stack.stack.config.natsURL
        o.clickHouseURL = Self.stack.stack.config.clickHouseURL
        o.database = "co_stall"
        let runner = ScenarioRunner(scenario: scenario, overrides: o, projectRoot: TestStack.projectRoot, output: { _ in })
        let ch = try XCTUnwrap(Self.stack.stack.processes.first { $0.service == "clickhouse" })
        let freezer = Task {
            try await Task.sleep(for: .seconds(9))
            kill(ch.pid, SIGSTOP)
            try? await Task.sleep(for: .milliseconds(1200))
            kill(ch.pid, SIGCONT)
        }
        let outcome = await runner.run()
        _ = try? await freezer.value
        kill(ch.pid, SIGCONT)
        // The report's latencies are in milliseconds.
        let corrected = try XCTUnwrap(outcome.latency.e2eCorrected), uncorrected = try XCTUnwrap(outcome.latency.e2eUncorrected)
        XCTAssertEqual(outcome.lost, 0, "\(outcome.notes)")
        XCTAssertGreaterThan(corrected.count, 1000)
        XCTAssertGreaterThanOrEqual(corrected.p99, 1000, "the stall must show when measuring from the schedule")
        XCTAssertLessThan(uncorrected.p99, 500, "measured from the actual send, the frozen sender hides it")
        XCTAssertGreaterThanOrEqual(corrected.max, 1000)
    }

    /// `--abort-on-fail`: a gate a live measurement already breaches stops the run early, and the run fails on it.
    func testAbortOnFailStopsAtTheFirstBreachedLiveGate() async throws {
        let yaml = """
            name: abort
            duration: 60s
            warmup: 1s
            drain_timeout: 20s
            workloads:
              - name: trades
                generator: trades
                rate: 200
            gates:
              - lost == 0
              - publish_latency.p50 < 0.001ms
            """
        var o = RunOverrides()
        o.natsURL = Self.stack.stack.config.natsURL
        o.clickHouseURL = Self.stack.stack.config.clickHouseURL
        o.database = "abort_early"
        o.abortOnFail = true
        let lines = Locked<[String]>([])
        let runner = ScenarioRunner(scenario: try ScenarioParser.parse(yaml, file: "abort.yaml"), overrides: o,
                                    projectRoot: TestStack.projectRoot, output: { l in lines.withLock { $0.append(l) } })
        let started = ContinuousClock.now
        let outcome = await runner.run()
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(40), "a 60 s run stopped within seconds of the breach")
        XCTAssertEqual(outcome.verdict.status, .failed)
        XCTAssertTrue(outcome.notes.contains { $0.contains("aborted early") && $0.contains("publish_latency.p50") }, "\(outcome.notes)")
        XCTAssertTrue(lines.withLock { $0.contains { $0.contains("--abort-on-fail") } })
        XCTAssertEqual(outcome.lost, 0, "what was published before the stop is still stored")
    }

    /// Rows deleted behind the pipeline's back must come out as a loss, with the numbers, not averaged away.
    func testCrossCheckReportsALossCausedOnPurpose() async throws {
        let ch = Self.stack.clickHouse(database: "xc")
        do { try await crossCheckLoss(ch) } catch { await ch.shutdown(); throw error }
        await ch.shutdown()
    }

    func crossCheckLoss(_ ch: ClickHouseClient) async throws {
        try await ch.execute("CREATE DATABASE IF NOT EXISTS xc", useDatabase: false)
        _ = try await Migrator(client: ch, database: "xc").migrate()
        let nats = try await Self.stack.nats()
        defer { nats.close() }
        let js = try nats.jetStream()
        // A fresh stream: the stall test before this one published into MARKET_TRADES on the same stack.
        try? await js.deleteStream(StreamCatalog.marketTrades.name)
        try await js.ensureStream(StreamCatalog.marketTrades)
        var rows: [String] = []
        let now = Timestamp.now().clickHouseDateTime64
        var messages: [OutgoingMessage] = []
        for i in 0..<100 {
            let id = "xc-\(i)"
            messages.append(OutgoingMessage(subject: "market.trades.XC-USD", text: "{}", messageID: id))
            // Five events never reach the table: the loss this test causes.
            if i >= 5 { rows.append(#"{"event_time":"\#(now)","symbol":"XC-USD","trade_id":\#(i),"price":1,"quantity":1,"side":"BUY","taker":true,"order_id":0,"metadata":"{}","event_id":"\#(id)"}"#) }
        }
        try await js.publishAsync(messages)
        try await js.waitForAcks(timeout: .seconds(10))
        var batch = InsertBatch()
        for r in rows { batch.append(row: r) }
        _ = try await ch.insert(into: "trades", batch: batch)
        let workloads = [WorkloadStats(name: "trades", source: "trades", table: "trades", offeredPerSecond: 100, published: 100,
                                       measuredPublished: 100, acked: 100, publishedPerSecond: [100])]
        let checker = CrossChecker(ch: ch, admin: js, metrics: nil)
        var outcome = RunReport(scenario: ScenarioRef(name: "xc", file: "xc.yaml", sha256: ""), startedAt: Date(), endedAt: Date(),
                                verdict: Verdict(status: .pass), environment: .unknown, workloads: workloads)
        outcome.streams = await checker.streams()
        outcome.crossChecks = try await checker.check(workloads: workloads, streams: outcome.streams)
        let intoStream = try XCTUnwrap(outcome.crossChecks.first { $0.name == "acked → MARKET_TRADES" })
        XCTAssertEqual(intoStream.status, .ok)
        let intoTable = try XCTUnwrap(outcome.crossChecks.first { $0.name.hasPrefix("MARKET_TRADES → trades") })
        XCTAssertEqual(intoTable.status, .loss)
        XCTAssertEqual(intoTable.expected, 100)
        XCTAssertEqual(intoTable.actual, 95)
        XCTAssertEqual(MetricCatalog.value("cross_check_failures", in: outcome), 1)
    }
}
