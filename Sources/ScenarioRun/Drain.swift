import JetStream
import Pipeline
import Scenario

/// After the load: wait until the consumers have nothing pending (or the drain timeout), then let the held windows
/// and open batches close on the consumers' idle flush.
struct Drain: Sendable {
    var admin: JetStreamContext
    var timeout: Duration
    var say: @Sendable (String) -> Void

    /// True when every consumer caught up in time.
    func wait(consumers: [String]) async throws -> Bool {
        say("[run] drain: waiting for the pipeline to catch up (at most \(timeout))")
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var drained = false
        let durables = consumers.compactMap { ConsumerCatalog.named($0) }
        while clock.now < deadline {
            var total: UInt64 = 0
            for d in durables {
                if let s = try? await admin.consumerState(stream: d.stream.name, durable: d.durable) {
                    total += s.numPending + UInt64(max(0, s.numAckPending))
                }
            }
            if total == 0 { drained = true; break }
            try await Task.sleep(for: .milliseconds(250))
        }
        // Held windows (market) and open social batches close on the consumers' idle flush.
        try await Task.sleep(for: .seconds(2))
        say(drained ? "[run] drained" : "[run] drain timeout: the pipeline still had messages pending")
        return drained
    }
}
