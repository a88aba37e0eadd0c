import Foundation
import Testing
@testable import Pipeline
import RiskSignalCore

/// Start-up backoff while ClickHouse is not ready: capped exponential delays, one log line per attempt, a bound
/// (0 = forever) and cancellation. A virtual clock keeps the test instant.
@Suite struct StartupWaitTests {
    struct Down: Error, CustomStringConvertible { var description: String { "connection refused" } }

    /// A clock that only moves when the wait sleeps.
    final class VirtualClock: @unchecked Sendable {
        let start = ContinuousClock.now
        var elapsed: Duration = .zero
        var sleeps: [Duration] = []
        var now: ContinuousClock.Instant { start + elapsed }
        func sleep(_ d: Duration) { sleeps.append(d); elapsed += d }
    }

    @Test func retriesPastTheOldThirtySecondsWithCappedBackoffThenSucceeds() async throws {
        let clock = VirtualClock()
        var calls = 0
        var lines: [String] = []
        let wait = StartupWait(timeout: .seconds(300))
        try await wait.run("ClickHouse at http://127.0.0.1:8123", log: { lines.append($0) }, now: { clock.now }, sleep: { clock.sleep($0) }) {
            calls += 1
            if clock.elapsed < .seconds(35) { throw Down() }  // ClickHouse comes up 35 s late
        }
        #expect(clock.elapsed >= .seconds(35))
        #expect(lines.count == calls, "one line per failed attempt, plus the ready line")
        #expect(lines.dropLast().allSatisfy { $0.contains("ClickHouse at http://127.0.0.1:8123 is not ready") && $0.contains("connection refused") && $0.contains("retrying in") })
        #expect(lines.last?.contains("is ready after \(calls) attempts") == true)
        // Exponential up to the cap, never beyond it.
        #expect(clock.sleeps.allSatisfy { $0 <= wait.maximumDelay })
        #expect(clock.sleeps.prefix(4).map(\.seconds).reduce(0, +) < 4.0, "short delays first")
        #expect(clock.sleeps.suffix(2).allSatisfy { $0 >= wait.maximumDelay / 2 }, "then capped (with jitter in [cap/2, cap])")
    }

    @Test func givesUpAfterTheBoundNamingWhatAndWhy() async throws {
        let clock = VirtualClock()
        let wait = StartupWait(timeout: .seconds(20))
        var lines: [String] = []
        do {
            try await wait.run("ClickHouse at http://127.0.0.1:1", log: { lines.append($0) }, now: { clock.now }, sleep: { clock.sleep($0) }) { throw Down() }
            Issue.record("expected to give up")
        } catch let e as StartupWait.GaveUp {
            #expect(e.description.contains("ClickHouse at http://127.0.0.1:1 was not ready") && e.description.contains("connection refused"))
            #expect(e.description.contains("RS_STARTUP_TIMEOUT"))
        }
        #expect(clock.elapsed >= .seconds(20) && clock.elapsed < .seconds(21), "the last sleep is cut to the bound: \(clock.elapsed)")
        #expect(lines.last?.contains("giving up after 20.0 s") == true, "\(lines)")
        #expect(lines.count == clock.sleeps.count + 1, "every failed attempt is logged, the last one too")
    }

    @Test func zeroWaitsForeverAndCancellationStopsIt() async throws {
        #expect(try StartupWait.timeout(seconds: "0", source: "RS_STARTUP_TIMEOUT").get() == nil)
        #expect(try StartupWait.timeout(seconds: "45", source: "RS_STARTUP_TIMEOUT").get() == .seconds(45))
        for bad in ["-1", "nan", "abc", "1e300", ""] {
            guard case .failure(let e) = StartupWait.timeout(seconds: bad, source: "RS_STARTUP_TIMEOUT") else { Issue.record("\(bad) accepted"); continue }
            #expect(e.description.contains("RS_STARTUP_TIMEOUT"), "\(e)")
        }
        let clock = VirtualClock()
        var calls = 0
        try await StartupWait(timeout: nil).run("x", log: { _ in }, now: { clock.now }, sleep: { clock.sleep($0) }) {
            calls += 1
            if calls < 200 { throw Down() }
        }
        #expect(calls == 200 && clock.elapsed > .seconds(1000), "no bound: still retrying after \(clock.elapsed)")
        // SIGTERM cancels the task: the wait ends inside its backoff sleep with CancellationError. The sleep is 20 s, so
        // ending well within it shows the sleep was interrupted, with room for a loaded machine.
        var wait = StartupWait(timeout: nil)
        wait.initialDelay = .seconds(20)
        wait.maximumDelay = .seconds(20)
        let task = Task { [wait] in try await wait.run("x", log: { _ in }) { throw Down() } }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let clockStart = ContinuousClock.now
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - clockStart < .seconds(10), "cancelled inside a 20 s backoff sleep, not after it")
    }

    @Test func redactsCredentials() {
        // What the wait logs: the URL through the one redaction, host kept, password gone.
        let shown = ConnectionConfig.redacted("http://default:s3cret@127.0.0.1:8123")
        #expect(!shown.contains("s3cret") && shown.contains("127.0.0.1:8123"))
        #expect(ConnectionConfig.redacted("http://127.0.0.1:8123") == "http://127.0.0.1:8123")
    }
}
