import Dispatch

/// A dedicated serial thread for blocking C calls, so they never occupy Swift's cooperative pool.
public final class BlockingLane: Sendable {
    private let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    /// Runs `body` on the lane's thread and resumes the caller with its result.
    public func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { cont in
            queue.async {
                do throws(E) {
                    cont.resume(returning: .success(try body()))
                } catch {
                    cont.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Runs `body` on the lane's thread and waits for it, for callers outside async code.
    public func runSync<T>(_ body: () throws -> T) rethrows -> T {
        try queue.sync(execute: body)
    }
}
