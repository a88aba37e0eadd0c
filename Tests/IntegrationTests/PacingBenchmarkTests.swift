import Bench
import Foundation
import Generators
import LoadSource
import RiskSignalCore
import XCTest

/// `rsbench bench pacing` end to end on a real nats-server: its flat-out step must stay within the rates a scenario
/// may ask for (issue 12's limits once made it refuse its own 1e9 events/s), and every figure it prints is measured.
final class PacingBenchmarkTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() {
        super.setUp()
        stack = try! TestStack(name: "pacing-bench")
    }

    override class func tearDown() {
        stack?.stop()
        super.tearDown()
    }

    func testOneRunMeasuresPacingFlatOutAndRawPublish() async throws {
        let bench = PacingBenchmark(connection: Self.stack.connection, rate: 500, duration: .seconds(1), repeats: 1)
        let runs = try await bench.run(make: { seed in try SignalGenerator(seed: seed) },
                                       rateModel: { r, end in try ConstantRate(rate: r, end: end) },
                                       progress: { _ in })
        let run = try XCTUnwrap(runs.first)
        XCTAssertEqual(runs.count, 1)
        XCTAssertEqual(run.offered, 500)
        // 500 events in the one scheduled second, all published.
        XCTAssertEqual(run.achieved, 500, accuracy: 0.5)
        XCTAssertEqual(run.scheduleLag.count, 500)
        XCTAssertGreaterThan(run.topSpeed, 0)
        XCTAssertGreaterThan(run.rawPublishLimit, 0)
    }
}
