import Capture
import Foundation
import JetStream
import Pipeline
import Replay
import RiskSignalCore
import ScenarioRun
import XCTest

/// Replays into the real JetStream, recorded back with `rsbench record`'s pieces, and replayed again.
final class ReplayFlowTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() { stack = try! TestStack(name: "replay") }
    override class func tearDown() { stack.stop() }

    func testWebSocketCaptureReplaysIntoTheStreamsAndRecordsBackToTheSameMessages() async throws {
        let nats = try await Self.stack.nats("replay-test")
        defer { nats.close() }
        let sub = try await nats.subscribe("market.>")
        var options = ReplayOptions()
        options.speed = 20
        var runner = ReplayRunner(path: TestStack.projectRoot + "/fixtures/websocket/coinbase-ws-loopback.pcap", options: options,
                                  projectRoot: TestStack.projectRoot, output: { _ in })
        runner.natsURL = Self.stack.stack.config.natsURL
        let outcome = try await runner.run()
        XCTAssertEqual(outcome.load.read, 300)
        XCTAssertEqual(outcome.counts.published, 297, "257 book events, 20 trades and 20 quotes")
        XCTAssertEqual(outcome.counts.acked, outcome.counts.published)
        XCTAssertEqual(outcome.counts.failed, 0)
        let f = try XCTUnwrap(outcome.fidelity)
        XCTAssertEqual(f.count, 297)

        let js = try nats.jetStream()
        let books = try await js.streamState(StreamCatalog.marketL2Raw.name)
        XCTAssertEqual(books.messages, 257)
        let trades = try await js.streamState(StreamCatalog.marketTrades.name)
        XCTAssertEqual(trades.messages, 20 - outcome.counts.duplicates, "a last_match repeating a match is deduplicated by its trade id")

        // What went over the wire, recorded and read back, is what was published.
        let path = NSTemporaryDirectory() + "replay-rec-\(getpid()).ndjson.zst"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try RecordingWriter(path: path)
        var recorded = 0
        while recorded < 297 {
            let got = try await sub.next(max: 1000, wait: .seconds(2))
            if got.isEmpty { break }
            for m in got { try writer.write(receiveNanos: m.receivedNanos, subject: m.subject, headers: m.headers.map { ($0.name, $0.value) }, payload: m.payload) }
            recorded += got.count
        }
        try writer.close()
        XCTAssertEqual(recorded, 297)
        let (items, report) = try CaptureLoader(options: ReplayOptions()).load(path: path)
        XCTAssertEqual(report.format, .recording)
        XCTAssertEqual(items.count, 297)
        XCTAssertEqual(items.filter { if case .raw(let s, _, _, _) = $0.body { s.hasPrefix("market.l2raw.") } else { false } }.count, 257)
        let first = try XCTUnwrap(items.first)
        guard case .raw(_, let payload, let id, _) = first.body else { return XCTFail("not raw") }
        XCTAssertTrue(String(decoding: payload, as: UTF8.self).contains("\"type\":\"snapshot\""))
        XCTAssertFalse(id.isEmpty)
    }
}
