import Foundation
import RiskSignalCore

/// How `risksignal run` waits for a server that is not ready yet at start-up (ClickHouse still starting): it retries
/// with capped exponential backoff, logs each attempt once with the delay before the next, and gives up after
/// `timeout` (nil: never). Cancellation (SIGTERM) ends the wait at once.
public struct StartupWait: Sendable {
    /// Why start-up stopped waiting.
    public struct GaveUp: Error, Sendable, CustomStringConvertible {
        public var what: String
        public var attempts: Int
        public var waited: Duration
        public var lastError: String
        public var description: String {
            "\(what) was not ready after \(attempts) attempts in \(StartupWait.seconds(waited)): \(lastError) "
                + "(raise RS_STARTUP_TIMEOUT / --startup-timeout, 0 waits forever)"
        }
    }

    /// The default bound: generous, so a slow ClickHouse start never takes the pipeline down.
    public static let defaultTimeout: Duration = .seconds(300)

    public var timeout: Duration?
    public var initialDelay: Duration = .milliseconds(250)
    public var maximumDelay: Duration = .seconds(10)

    /// One attempt that takes longer than this counts as failed (a server accepting connections but still starting).
    public var attemptTimeout: Duration = .seconds(5)

    public init(timeout: Duration?) { self.timeout = timeout }

    struct AttemptTimedOut: Error, CustomStringConvertible {
        var after: Duration
        var description: String { "no answer within \(StartupWait.seconds(after))" }
    }

    /// `attempt`, failed with `AttemptTimedOut` when it has not finished within `limit`.
    static func bounded(_ limit: Duration, _ attempt: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await attempt(); return true }
            group.addTask { try await Task.sleep(for: limit); return false }
            defer { group.cancelAll() }
            guard let finished = try await group.next(), finished else { throw AttemptTimedOut(after: limit) }
        }
    }

    /// The bound from `RS_STARTUP_TIMEOUT` or `--startup-timeout` in seconds: 0 means forever; negative, NaN or
    /// non-numeric text is an error naming the source.
    public static func timeout(seconds text: String, source: String) -> Result<Duration?, PipelineConfigError> {
        guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite, v >= 0, v <= 365 * 86_400 else {
            return .failure(.badVariable(source, text, expected: "a number of seconds from 0 (wait forever) to 31536000"))
        }
        return .success(v == 0 ? nil : .nanoseconds(Int64(v * 1e9)))
    }

    /// Runs `attempt` until it succeeds, sleeping with capped exponential backoff between failures.
    public func run(
        _ what: String, log: (String) -> Void,
        now: () -> ContinuousClock.Instant = { ContinuousClock.now },
        sleep: (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        _ attempt: () async throws -> Void
    ) async throws {
        let start = now()
        var backoff = Backoff(initial: initialDelay, maximum: maximumDelay)
        var attempts = 0
        while true {
            try Task.checkCancellation()
            attempts += 1
            do {
                try await attempt()
                if attempts > 1 { log("\(what) is ready after \(attempts) attempts") }
                return
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                let waited = now() - start
                var delay = backoff.next()
                if let timeout {
                    guard waited < timeout else {
                        log("\(what) is not ready (attempt \(attempts): \(error)); giving up after \(Self.seconds(waited))")
                        throw GaveUp(what: what, attempts: attempts, waited: waited, lastError: "\(error)")
                    }
                    delay = min(delay, timeout - waited)
                }
                let left = timeout.map { " (giving up in \(Self.seconds($0 - waited)))" } ?? " (waiting without limit)"
                log("\(what) is not ready (attempt \(attempts): \(error)); retrying in \(Self.seconds(delay))\(left)")
                try await sleep(delay)
            }
        }
    }

    static func seconds(_ d: Duration) -> String { String(format: "%.1f s", d.seconds) }
}
