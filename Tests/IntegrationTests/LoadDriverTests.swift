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
}
