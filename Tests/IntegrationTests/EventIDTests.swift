import Foundation
import JetStream
import LocalStack
import Pipeline
import Reporting
import RiskSignalCore
import Scenario
import ScenarioRun
import XCTest

/// Issue 12, class 4: event ids are unique per run unless `--repeatable-ids` is given, and JetStream's
/// deduplication of a repeated id is reported as duplicates, never as loss.
final class EventIDTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() {
        do { stack = try TestStack(name: "event-ids") } catch { fatalError("cannot start the local stack: \(error)") }
    }

    override class func tearDown() { stack?.stop() }

    /// Runs `risksignal produce …` against the test stack; returns its output.
    func produce(_ args: [String]) throws -> String {
        let binary = TestStack.projectRoot + "/.build/debug/risksignal"
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("build the executables first (`swift build`)") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["produce"] + args + ["--nats-url", Self.stack.stack.config.natsURL, "--log-level", "error"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, text)
        return text
    }

    func testProducingTwiceWithinTheDuplicateWindowPublishesBothTimes() throws {
        let first = try produce(["trades", "--count", "300", "--rate", "5000", "--seed", "12"])
        XCTAssertTrue(first.contains("300 acked, 0 duplicates"), first)
        XCTAssertTrue(first.contains("per-run id nonce"), "the nonce is printed: \(first)")
        let second = try produce(["trades", "--count", "300", "--rate", "5000", "--seed", "12"])
        XCTAssertTrue(second.contains("300 acked, 0 duplicates"), "same seed, new run: new ids. \(second)")
    }

    func testRepeatableIdsRepeatAndTheRepeatIsCalledDuplicatesNotLoss() throws {
        let first = try produce(["orders", "--count", "200", "--rate", "5000", "--seed", "13", "--repeatable-ids"])
        XCTAssertTrue(first.contains("200 acked, 0 duplicates"), first)
        XCTAssertTrue(first.contains("repeatable ids"), first)
        let second = try produce(["orders", "--count", "200", "--rate", "5000", "--seed", "13", "--repeatable-ids"])
        XCTAssertTrue(second.contains("200 acked, 200 duplicates"), second)
        XCTAssertTrue(second.contains("not lost"), second)
        XCTAssertFalse(second.lowercased().contains("lost 200"), second)
    }

    func scenario(_ name: String) throws -> Scenario {
        try ScenarioParser.parse("""
            name: \(name)
            duration: 2s
            warmup: 1s
            drain_timeout: 20s
            seed: 5
            workloads:
              - name: trades
                generator: trades
                rate: 100
                params: { symbols: 3 }
            gates:
              - lost == 0
            """, file: "\(name).yaml")
    }

    func run(_ name: String, repeatable: Bool) async throws -> RunReport {
        var o = RunOverrides()
        o.natsURL = Self.stack.stack.config.natsURL
        o.clickHouseURL = Self.stack.stack.config.clickHouseURL
        o.database = "ids_twice"
        o.repeatableIDs = repeatable
        return await ScenarioRunner(scenario: try scenario(name), overrides: o, projectRoot: TestStack.projectRoot, output: { _ in }).run()
    }

    func testTheSameScenarioTwiceAgainstKeptServersStoresBothRunsAndLosesNothing() async throws {
        guard FileManager.default.isExecutableFile(atPath: TestStack.projectRoot + "/.build/debug/risksignal") else {
            throw XCTSkip("build the executables first (`swift build`)")
        }
        for repeatable in [false, true] {
            let a = try await run("twice", repeatable: repeatable)
            let b = try await run("twice", repeatable: repeatable)
            for r in [a, b] {
                XCTAssertEqual(r.lost, 0, "repeatable \(repeatable): \(r.notes) \(r.crossChecks.map(\.text))")
                XCTAssertFalse(r.crossChecks.contains { $0.status == .loss }, "\(r.crossChecks.map(\.text))")
                XCTAssertEqual(r.verdict.status, .pass, "\(r.verdict.reasons)")
                XCTAssertTrue(r.notes.contains { $0.hasPrefix("event ids: ") }, "the id policy is recorded: \(r.notes)")
            }
            let published = b.workloads.reduce(0) { $0 + $1.published }
            let duplicates = b.workloads.reduce(0) { $0 + $1.duplicates }
            XCTAssertGreaterThan(published, 100)
            if repeatable {
                XCTAssertEqual(duplicates, published, "the same ids within 2 minutes are all JetStream duplicates")
                XCTAssertTrue(b.crossChecks.contains { $0.name.hasPrefix("duplicates") && $0.text.contains("not lost") }, "\(b.crossChecks.map(\.text))")
            } else {
                XCTAssertEqual(duplicates, 0, "a second run has ids of its own")
                XCTAssertEqual(b.workloads.first?.stored, b.workloads.first?.acked, "every event of the second run is stored")
                XCTAssertNotEqual(a.notes.first { $0.hasPrefix("event ids") }, b.notes.first { $0.hasPrefix("event ids") }, "each run draws its own nonce")
            }
        }
    }
}
