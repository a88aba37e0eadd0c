import Foundation
import JetStream
import RiskSignalCore

/// Makes the next event to publish, given the instant it is due.
public protocol EventSource: Sendable {
    mutating func next(at time: Timestamp) -> OutgoingMessage
}

/// Publishes events from a source at a fixed rate: event i is due at start + i/rate, stamped with
/// that intended instant (`Rs-Intended-Ns`), and every ack is waited for at the end.
public struct PacedPublisher: Sendable {
    public var context: JetStreamContext

    public init(context: JetStreamContext) { self.context = context }

    /// `progress` is called about once a second with the number published so far.
    public func run<S: EventSource>(_ source: S, rate: Double, count: Int, progress: (@Sendable (Int) -> Void)? = nil) async throws -> PublishAckCounts {
        precondition(rate > 0 && count >= 0)
        var source = source
        let clock = ContinuousClock()
        let start = clock.now
        let wallStart = Timestamp.now()
        var sent = 0
        var lastReport = start
        let maxChunk = max(1, min(1000, Int(rate / 100)))
        let before = context.ackCounts
        while sent < count {
            let due = start + .nanoseconds(Int64(Double(sent) / rate * 1e9))
            if due > clock.now { try await Task.sleep(until: due, clock: clock) }
            // Everything already due goes out together (at high rates several events share a wake-up).
            let dueCount = min(count, max(sent + 1, Int((clock.now - start).seconds * rate) + 1))
            let n = min(maxChunk, dueCount - sent)
            var chunk: [OutgoingMessage] = []
            chunk.reserveCapacity(n)
            for i in 0..<n {
                let intended = Timestamp(nanosSinceEpoch: wallStart.nanosSinceEpoch + Int64(Double(sent + i) / rate * 1e9))
                var m = source.next(at: intended)
                m.headers.append((MessageHeader.intendedSendNanos, String(intended.nanosSinceEpoch)))
                chunk.append(m)
            }
            try await context.publishAsync(chunk)
            sent += n
            if clock.now - lastReport >= .seconds(1) {
                progress?(sent)
                lastReport = clock.now
            }
        }
        try await context.waitForAcks(timeout: .seconds(60))
        var c = context.ackCounts
        c.published -= before.published
        c.acked -= before.acked
        c.failed -= before.failed
        c.duplicates -= before.duplicates
        return c
    }
}
