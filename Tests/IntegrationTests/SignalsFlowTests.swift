import ClickHouse
import Foundation
import Generators
import JetStream
import LoadDriver
import Pipeline
import RiskSignalCore
import XCTest

/// Seed 000's flow on the real stack: produce → SIGNALS → consumer → raw_signals, with the DLQ.
final class SignalsFlowTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() {
        do { stack = try TestStack(name: "signals") } catch { fatalError("cannot start the local stack: \(error)") }
    }

    override class func tearDown() { stack?.stop() }

    func testPublishedSignalsArriveExactlyOnceWithTheirTraceIDs() async throws {
        let s = Self.stack!
        let ch = s.clickHouse(database: "risksignal")
        defer { Task { await ch.shutdown() } }
        try await Migrator(client: ch, database: "risksignal").migrate()
        let nats = try await s.nats()
        let js = try nats.jetStream()
        try await js.ensureStream(StreamCatalog.signals)
        try await js.ensureStream(StreamCatalog.deadLetters)

        let n = 1_234
        let counts = try await CountedWorkload(name: "signals", generator: try SignalGenerator(seed: 42), rate: 20_000, count: n).run(connection: nats)
        XCTAssertEqual(counts.acked, UInt64(n))
        XCTAssertEqual(counts.failed, 0)

        // The trace ids the producer sent, regenerated from the same seed.
        var gen = TestSignalGenerator(seed: 42)
        let expected = Set((0..<n).map { _ in gen.next(at: Timestamp(nanosSinceEpoch: 0)).traceID })

        let consumer = try await js.pullConsumer(ConsumerSpec(stream: "SIGNALS", durable: "signals-to-clickhouse", filterSubject: "signals.>"))
        let ingestor = StreamIngestor(name: "signals", consumer: consumer, clickHouse: ch, handler: EncoderHandler(SignalRowEncoder()),
                                      policy: BatchPolicy(batchSize: 100, maxWait: .milliseconds(200)))
        try await ingestor.run(stopWhenIdle: 2)

        let rowCount = try await ch.scalarInt("SELECT count() FROM raw_signals")
        XCTAssertEqual(rowCount, Int64(n))
        let rows = try await ch.rows("SELECT toString(trace_id) AS t FROM raw_signals")
        let stored = Set(rows.compactMap { if case .string(let t)? = $0["t"] { t } else { nil } })
        XCTAssertEqual(stored, expected)
        let state = try await consumer.state()
        XCTAssertEqual(state.numPending, 0)
        XCTAssertEqual(state.numAckPending, 0)
        XCTAssertEqual(ingestor.stats.snapshot.rowsInserted, UInt64(n))
        XCTAssertEqual(ingestor.stats.snapshot.batches, UInt64((n + 99) / 100), "batches of --batch-size")

        // A sample row field by field.
        let sample = try await ch.rows("SELECT source_id, event_type, severity, user_id, wallet_address, payload FROM raw_signals WHERE trace_id = '\(expected.sorted()[0])'")
        XCTAssertEqual(sample.count, 1)
        XCTAssertEqual(sample[0]["source_id"], .string("risksignal-test-producer"))
        XCTAssertEqual(sample[0]["event_type"], .string("transaction"))
        if case .string(let p)? = sample[0]["payload"] { XCTAssertTrue(p.contains("\"currency\"")) } else { XCTFail("payload missing") }
        nats.close()
    }

    func testInvalidMessagesGoToTheDLQWithTheirReasonAndValidOnesInTheSameBatchAreInserted() async throws {
        let s = Self.stack!
        let db = "dlqtest"
        let ch = s.clickHouse(database: db)
        defer { Task { await ch.shutdown() } }
        try await Migrator(client: ch, database: db).migrate()
        let nats = try await s.nats()
        let js = try nats.jetStream()
        try await js.ensureStream(StreamSpec(name: "SIGDLQ", subjects: ["sigdlq.>"], maxAge: .seconds(3600)))
        try await js.ensureStream(StreamCatalog.deadLetters)

        var gen = TestSignalGenerator(seed: 7)
        let now = Timestamp(nanosSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9))
        let valid = (0..<5).map { _ in gen.next(at: now) }
        let good = valid.map { $0.messageJSON() }
        let bad: [(String, String)] = [
            ("{not json", "$"),
            (good[0].replacingOccurrences(of: "\"severity\":", with: "\"severity\":\"high\",\"x\":"), "severity"),
            (good[0].replacingOccurrences(of: "\"trace_id\":\"", with: "\"trace_id\":\"zz"), "trace_id"),
            ("{\"source_id\":\"a\",\"event_type\":\"t\",\"payload\":{},\"severity\":1,\"trace_id\":\"\(valid[0].traceID)\"}", "event_time"),
            (good[0].replacingOccurrences(of: "\"severity\":", with: "\"severity\":99,\"y\":"), "severity"),
        ]
        // Interleave good and bad so both kinds share each fetched batch.
        var messages: [OutgoingMessage] = []
        for i in 0..<5 {
            messages.append(OutgoingMessage(subject: "sigdlq.tx", text: good[i]))
            messages.append(OutgoingMessage(subject: "sigdlq.tx", text: bad[i].0))
        }
        try await js.publishAsync(messages)
        try await js.waitForAcks(timeout: .seconds(10))

        let dlqBefore = try await js.streamState("DLQ").messages
        let consumer = try await js.pullConsumer(ConsumerSpec(stream: "SIGDLQ", durable: "dlq-test", filterSubject: "sigdlq.>"))
        let ingestor = StreamIngestor(name: "sigdlq-test", consumer: consumer, clickHouse: ch, handler: EncoderHandler(SignalRowEncoder()),
                                      policy: BatchPolicy(batchSize: 100, maxWait: .milliseconds(200)))
        try await ingestor.run(stopWhenIdle: 2)

        let rowCount = try await ch.scalarInt("SELECT count() FROM raw_signals")
        XCTAssertEqual(rowCount, 5)
        XCTAssertEqual(ingestor.stats.snapshot.deadLettered, 5)
        let dlqAfter = try await js.streamState("DLQ").messages
        XCTAssertEqual(dlqAfter, dlqBefore + 5)

        // Read the dead letters back and check each names the field that failed.
        try await js.ensureStream(StreamCatalog.deadLetters)
        let dlq = try await js.pullConsumer(ConsumerSpec(stream: "DLQ", durable: "dlq-reader", filterSubject: "dlq.sigdlq-test"))
        let letters = try await dlq.fetch(batch: 10, maxWait: .seconds(2))
        XCTAssertEqual(letters.count, 5)
        let reasons = letters.compactMap { $0.header(MessageHeader.dlqReason) }
        XCTAssertEqual(reasons.map { String($0.prefix { $0 != ":" }) }, bad.map(\.1))
        XCTAssertTrue(reasons[1].contains("expected an integer"), reasons[1])
        XCTAssertEqual(letters[0].payload, Array(bad[0].0.utf8), "the DLQ keeps the original payload")
        XCTAssertEqual(letters[0].header(MessageHeader.dlqSubject), "sigdlq.tx")
        try await dlq.ack(letters)
        // Each dead letter is also a row in dead_letters, with the failing field and the payload.
        let dead = try await ch.rows("SELECT field, reason, payload, consumer, stream FROM dead_letters ORDER BY stream_sequence")
        XCTAssertEqual(dead.count, 5)
        XCTAssertEqual(dead.map { $0["field"] }, bad.map { .string($0.1) })
        XCTAssertEqual(dead.first?["payload"], .string(bad[0].0))
        XCTAssertEqual(dead.first?["consumer"], .string("sigdlq-test"))
        let state = try await consumer.state()
        XCTAssertEqual(state.numPending, 0)
        XCTAssertEqual(state.numAckPending, 0, "dead-lettered messages are terminated, not left pending")
        nats.close()
    }
}
