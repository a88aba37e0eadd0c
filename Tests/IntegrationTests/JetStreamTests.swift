import Foundation
import JetStream
import LocalStack
import RiskSignalCore
import Synchronization
import XCTest

/// The JetStream module against a real nats-server over loopback.
final class JetStreamTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() {
        do { stack = try TestStack(name: "jetstream") } catch { fatalError("cannot start the local stack: \(error)") }
    }

    override class func tearDown() { stack?.stop() }

    func testEnsureStreamCreatesThenUpdates() async throws {
        let nats = try await Self.stack.nats()
        let js = try nats.jetStream()
        var spec = StreamSpec(name: "ADMIN", subjects: ["admin.a"], maxAge: .seconds(3600))
        try await js.ensureStream(spec)
        try await js.ensureStream(spec)
        spec.subjects = ["admin.a", "admin.b"]
        try await js.ensureStream(spec)
        _ = try await js.publish(OutgoingMessage(subject: "admin.b", text: "x"))
        let state = try await js.streamState("ADMIN")
        XCTAssertEqual(state.messages, 1, "the updated subject list is in force")
        do {
            _ = try await js.streamState("NO_SUCH_STREAM")
            XCTFail("expected an error")
        } catch {
            XCTAssertNotEqual(error.jetStreamCode, 0, "\(error)")
        }
        nats.close()
    }

    func testAsyncPublishAccountsForEveryAckWithinTheWindow() async throws {
        let nats = try await Self.stack.nats()
        let seen = Mutex<(acks: Int, timings: Int)>((0, 0))
        var options = JetStreamOptions()
        options.publishWindow = 64
        options.ackTimingHeader = "Rs-Sent-Ns"
        options.onAck = { result, timing, _ in
            seen.withLock {
                if case .success = result { $0.acks += 1 }
                if timing == 12345 { $0.timings += 1 }
            }
        }
        let js = try nats.jetStream(options)
        try await js.ensureStream(StreamSpec(name: "PUB", subjects: ["pub.>"], maxAge: .seconds(3600)))
        let messages = (0..<5_000).map { i in
            OutgoingMessage(subject: "pub.\(i % 4)", text: String(repeating: "x", count: 200), headers: [("Rs-Sent-Ns", "12345")], messageID: "m-\(i)")
        }
        try await js.publishAsync(messages)
        try await js.waitForAcks(timeout: .seconds(20))
        let c = js.ackCounts
        XCTAssertEqual(c.published, 5_000)
        XCTAssertEqual(c.acked, 5_000)
        XCTAssertEqual(c.failed, 0)
        XCTAssertEqual(c.outstanding, 0)
        XCTAssertEqual(seen.withLock { $0.acks }, 5_000)
        XCTAssertEqual(seen.withLock { $0.timings }, 5_000, "the timing header is read for each ack")
        // Republishing the same Nats-Msg-Id within the window is a duplicate, not a new message.
        try await js.publishAsync(Array(messages[0..<100]))
        try await js.waitForAcks(timeout: .seconds(10))
        XCTAssertEqual(js.ackCounts.duplicates, 100)
        let state = try await js.streamState("PUB")
        XCTAssertEqual(state.messages, 5_000)
        nats.close()
    }

    /// A lingering fetch waits long while nothing comes and returns soon after something does; what the server sends
    /// for its still-open request afterwards is handed out by the next fetch, not lost.
    func testALingeringFetchReturnsSoonAfterItsFirstMessage() async throws {
        let nats = try await Self.stack.nats()
        let js = try nats.jetStream()
        try await js.ensureStream(StreamSpec(name: "LINGER", subjects: ["linger.>"], maxAge: .seconds(3600)))
        let c = try await js.pullConsumer(ConsumerSpec(stream: "LINGER", durable: "lingerer", filterSubject: "linger.>", ackWait: .seconds(30)))
        let clock = ContinuousClock()
        let started = clock.now
        let fetch = Task { try await c.fetch(batch: 100, maxWait: .seconds(20), linger: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(300))
        _ = try await js.publish(OutgoingMessage(subject: "linger.a", text: "first"))
        let first = try await fetch.value
        XCTAssertEqual(first.map { String(decoding: $0.payload, as: UTF8.self) }, ["first"])
        XCTAssertLessThan(clock.now - started, .seconds(10), "returned after its first message, not at the 20 s maxWait")

        // The 100-message request is still open on the server: these two arrive in the inbox between fetches.
        _ = try await js.publish(OutgoingMessage(subject: "linger.a", text: "second"))
        _ = try await js.publish(OutgoingMessage(subject: "linger.a", text: "third"))
        var rest: [JetStreamMessage] = []
        try await eventually("the messages sent for the earlier request") {
            rest += try await c.fetch(batch: 10, maxWait: .milliseconds(200), linger: .milliseconds(5))
            return rest.count >= 2
        }
        XCTAssertEqual(rest.map { String(decoding: $0.payload, as: UTF8.self) }, ["second", "third"])
        try await c.ack(first + rest)
        try await eventually("acks to reach the server") { try await c.state().numAckPending == 0 }
        let again = try await c.fetch(batch: 10, maxWait: .milliseconds(300))
        XCTAssertTrue(again.isEmpty, "nothing delivered twice")
        nats.close()
    }

    func testPullConsumerFetchAckNakAndTerm() async throws {
        let nats = try await Self.stack.nats()
        let js = try nats.jetStream()
        try await js.ensureStream(StreamSpec(name: "PULL", subjects: ["pull.>"], maxAge: .seconds(3600)))
        try await js.publishAsync((0..<10).map { OutgoingMessage(subject: "pull.x", text: "m\($0)", headers: [("K", "v\($0)")]) })
        try await js.waitForAcks(timeout: .seconds(5))

        let c = try await js.pullConsumer(ConsumerSpec(stream: "PULL", durable: "puller", filterSubject: "pull.>", ackWait: .seconds(30)))
        var info = try await c.state()
        XCTAssertEqual(info.numPending, 10)

        let first = try await c.fetch(batch: 4, maxWait: .seconds(2))
        XCTAssertEqual(first.map { String(decoding: $0.payload, as: UTF8.self) }, ["m0", "m1", "m2", "m3"])
        XCTAssertEqual(first[1].header("K"), "v1")
        XCTAssertEqual(first[1].metadata?.streamSequence, 2)
        XCTAssertEqual(first[1].metadata?.numDelivered, 1)
        try await c.ack(Array(first[0..<2]))
        try await c.nak([first[2]], delay: .milliseconds(300))
        try await c.term([first[3]])

        let rest = try await c.fetch(batch: 20, maxWait: .milliseconds(500))
        XCTAssertEqual(rest.count, 6, "m4…m9; the nak'd m2 is held back by its delay")
        try await c.ack(rest)
        var redelivered: [JetStreamMessage] = []
        try await eventually("the nak'd message to come back") {
            redelivered += try await c.fetch(batch: 5, maxWait: .milliseconds(200))
            return !redelivered.isEmpty
        }
        XCTAssertEqual(redelivered.map { String(decoding: $0.payload, as: UTF8.self) }, ["m2"])
        XCTAssertEqual(redelivered[0].metadata?.numDelivered, 2)
        try await c.ack(redelivered)

        try await eventually("acks to reach the server") {
            info = try await c.state()
            return info.numAckPending == 0
        }
        XCTAssertEqual(info.numPending, 0)
        XCTAssertEqual(info.ackFloorStreamSequence, 10)
        let empty = try await c.fetch(batch: 5, maxWait: .milliseconds(100))
        XCTAssertTrue(empty.isEmpty)
        nats.close()
    }

    func testUnreachableNATSFailsFastNamingTheURL() async throws {
        let url = "nats://127.0.0.1:\(LoopbackProbe.freePort())"
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try await NATSConnection.connect(NATSConnectionOptions(urls: [url], name: "unreachable"))
            XCTFail("expected a connection error")
        } catch {
            guard case .connect(let urls, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(urls, [url])
            XCTAssertTrue(error.description.contains(url), error.description)
        }
        XCTAssertLessThan(clock.now - start, .seconds(5))
    }
}
