import Foundation
import Generators
import JetStream
import LoadDriver
import LoadSource
import Pipeline
import RiskSignalCore
import XCTest

/// The open-loop driver against a real nats-server: rate held, every publish acked, lateness recorded.
final class LoadDriverTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() {
        do { stack = try TestStack(name: "loaddriver") } catch { fatalError("cannot start the local stack: \(error)") }
    }

    override class func tearDown() { stack?.stop() }

    func testConstantRateIsHeldOpenLoopAndEveryEventCarriesItsIntendedTime() async throws {
        let nats = try await Self.stack.nats("driver")
        let admin = try nats.jetStream()
        try await admin.ensureStream(StreamCatalog.marketTrades)
        let rate = 2_000.0
        let duration = Duration.seconds(2)
        let startWall = Timestamp.now().nanosSinceEpoch + 100_000_000
        let startInstant = ContinuousClock.now + .milliseconds(100)
        let generator = try TradeGenerator(TradeGenerator.Parameters(symbolCount: 5), seed: 3)
        let plan = WorkloadPlan(name: "trades", generator: generator, rate: try ConstantRate(rate: rate, end: duration.totalNanoseconds))
        let driver = try WorkloadDriver(plan: plan, connection: nats, measured: (startWall, startWall + duration.totalNanoseconds))
        try await driver.run(startWall: startWall, startInstant: startInstant, end: duration)
        try await driver.waitForAcks(timeout: .seconds(10))
        let c = driver.snapshot
        XCTAssertEqual(c.published, 4_000, "a constant 2000/s for 2 s is exactly 4000 arrivals")
        XCTAssertEqual(c.acked, c.published)
        XCTAssertEqual(c.failed, 0)
        XCTAssertEqual(driver.scheduleLag.snapshot.totalCount, 4_000, "every event's lateness is recorded")
        XCTAssertEqual(driver.ackLatency.snapshot.totalCount, 4_000)
        let perSecond = driver.publishedPerSecond
        XCTAssertGreaterThanOrEqual(perSecond.count, 2)

        // Each message carries its intended send time and id, in headers and payload.
        let consumer = try await admin.pullConsumer(ConsumerSpec(stream: "MARKET_TRADES", durable: "driver-check", filterSubject: "market.trades.>"))
        let first = try await consumer.fetch(batch: 10, maxWait: .seconds(2))
        XCTAssertEqual(first.count, 10)
        for (i, m) in first.enumerated() {
            let intended = Int64(m.header(MessageHeader.intendedSendNanos) ?? "")
            XCTAssertEqual(intended, startWall + Int64(i) * 500_000, "event \(i) is due at start + i/rate")
            XCTAssertNotNil(m.header("Nats-Msg-Id"))
            let payload = String(decoding: m.payload, as: UTF8.self)
            XCTAssertTrue(payload.contains("\"intended_ns\":\(intended!)"), payload)
        }
        nats.close()
    }

    func testOnePacerForSeveralWorkloadsSendsEachOnesArrivalsExactlyWithTheirIntendedTimes() async throws {
        let nats = try await Self.stack.nats("pacer")
        let admin = try nats.jetStream()
        // A fresh MARKET_TRADES: the other test of this class publishes there too.
        try? await admin.deleteStream(StreamCatalog.marketTrades.name)
        try await admin.ensureStream(StreamCatalog.marketTrades)
        try await admin.ensureStream(StreamCatalog.signals)
        let duration = Duration.seconds(2)
        let startWall = Timestamp.now().nanosSinceEpoch + 100_000_000
        let startInstant = ContinuousClock.now + .milliseconds(100)
        let window = (startWall, startWall + duration.totalNanoseconds)
        let trades = try WorkloadDriver(plan: WorkloadPlan(name: "trades", generator: try TradeGenerator(TradeGenerator.Parameters(symbolCount: 5), seed: 3),
                                                           rate: try ConstantRate(rate: 1_500)), connection: nats, measured: window)
        let signals = try WorkloadDriver(plan: WorkloadPlan(name: "signals", generator: try SignalGenerator(seed: 5),
                                                            rate: try CountLimitedRate(try PoissonRate(rate: 400, seed: 11), count: 300)),
                                         connection: nats, measured: window)
        let quiet = try WorkloadDriver(plan: WorkloadPlan(name: "quiet", generator: try TradeGenerator(TradeGenerator.Parameters(symbolCount: 2), seed: 4),
                                                          rate: try ConstantRate(rate: 3)), connection: nats, measured: window)
        try await LoadPacer().run([trades, signals, quiet], startWall: startWall, startInstant: startInstant, end: duration)
        for d in [trades, signals, quiet] { try await d.waitForAcks(timeout: .seconds(10)) }

        // Exactly each workload's own arrivals before the end: 1500/s and 3/s for 2 s, and the count limit.
        for (d, expected) in [(trades, UInt64(3_000)), (signals, 300), (quiet, 6)] {
            let c = d.snapshot
            XCTAssertEqual(c.published, expected, d.name)
            XCTAssertEqual(c.generated, expected, d.name)
            XCTAssertEqual(c.acked, expected, d.name)
            XCTAssertEqual(c.failed, 0, d.name)
            XCTAssertEqual(c.measuredPublished, expected, d.name)
            XCTAssertEqual(d.scheduleLag.snapshot.totalCount, expected, "\(d.name): every event's lateness is recorded")
            XCTAssertEqual(d.ackLatency.snapshot.totalCount, expected, d.name)
            XCTAssertEqual(UInt64(d.publishedPerSecond.reduce(0, +)), expected, d.name)
            XCTAssertEqual(UInt64(d.offeredPerSecond.reduce(0, +)), expected, d.name)
        }
        XCTAssertEqual(trades.offeredPerSecond.prefix(2), [1_500, 1_500], "due events are tallied by their intended second")

        // Both trade workloads share a stream: every message there carries exactly one of their arrival instants.
        let consumer = try await admin.pullConsumer(ConsumerSpec(stream: "MARKET_TRADES", durable: "pacer-check", filterSubject: "market.trades.>"))
        var intended: [Int64] = []
        while intended.count < 3_006 {
            let batch = try await consumer.fetch(batch: 1_000, maxWait: .seconds(2))
            if batch.isEmpty { break }
            for m in batch { intended.append(Int64(m.header(MessageHeader.intendedSendNanos) ?? "") ?? -1) }
            try await consumer.ack(batch)
        }
        XCTAssertEqual(intended.count, 3_006)
        var expected: [Int64] = []
        for rate in [1_500.0, 3] {
            var model = try ConstantRate(rate: rate)
            var t = model.nextArrival(after: -1)
            while let a = t, a < duration.totalNanoseconds {
                expected.append(startWall + a)
                t = model.nextArrival(after: a)
            }
        }
        XCTAssertEqual(expected.count, 3_006)
        XCTAssertEqual(intended.sorted(), expected.sorted(), "every event carries its exact intended instant")
        nats.close()
    }
}
