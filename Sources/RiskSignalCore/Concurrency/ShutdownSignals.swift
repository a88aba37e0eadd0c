import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Runs work that SIGINT/SIGTERM cancel cooperatively, so the current batch finishes before exit.
public enum ShutdownSignals {
    /// Runs `body`; the first SIGINT or SIGTERM cancels it (a second one exits at once).
    public static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let queue = DispatchQueue(label: "risksignal.signals")
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            let seen = SignalCount()
            src.setEventHandler {
                if seen.increment() > 1 { exit(130) }
                task.cancel()
            }
            src.resume()
            sources.append(src)
        }
        defer {
            sources.forEach { $0.cancel() }
        }
        return try await task.value
    }
}

private final class SignalCount: @unchecked Sendable {
    // Touched only on the serial signal queue.
    private var count = 0
    func increment() -> Int {
        count += 1
        return count
    }
}
