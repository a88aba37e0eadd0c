import Foundation
import JetStream
import RiskSignalCore

/// Publishes seed 000's mock transaction events on `signals.transaction` at a fixed rate.
public struct SignalsProducer: Sendable {
    public var context: JetStreamContext
    public var subject: String
    public var seed: UInt64

    public init(context: JetStreamContext, subject: String = "signals.transaction", seed: UInt64 = 1) {
        self.context = context
        self.subject = subject
        self.seed = seed
    }

    /// Publishes `count` events at `rate` per second, each due at start + i/rate, and waits for every ack.
    /// `progress` is called about once a second with the number published so far.
    public func run(rate: Double, count: Int, progress: (@Sendable (Int) -> Void)? = nil) async throws -> PublishAckCounts {
        precondition(rate > 0 && count >= 0)
        var generator = TestSignalGenerator(seed: seed)
        let clock = ContinuousClock()
        let start = clock.now
        var sent = 0
        var lastReport = start
        let maxChunk = max(1, min(1000, Int(rate / 100)))
        while sent < count {
            let due = start + .nanoseconds(Int64(Double(sent) / rate * 1e9))
            if due > clock.now { try await Task.sleep(until: due, clock: clock) }
            // Publish everything already due (at high rates several events share one wake-up).
            let elapsed = (clock.now - start).seconds
            let dueCount = min(count, max(sent + 1, Int(elapsed * rate) + 1))
            let n = min(maxChunk, dueCount - sent)
            var chunk: [OutgoingMessage] = []
            chunk.reserveCapacity(n)
            let now = Timestamp(nanosSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9))
            for _ in 0..<n {
                let s = generator.next(at: now)
                chunk.append(OutgoingMessage(subject: subject, text: s.messageJSON(), headers: [(MessageHeader.traceID, s.traceID)], messageID: s.traceID))
            }
            try await context.publishAsync(chunk)
            sent += n
            if clock.now - lastReport >= .seconds(1) {
                progress?(sent)
                lastReport = clock.now
            }
        }
        try await context.waitForAcks(timeout: .seconds(30))
        return context.ackCounts
    }
}
