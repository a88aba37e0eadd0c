import Dispatch

/// A task executor with a thread of its own (a serial dispatch queue): tasks that prefer it, and the default actors
/// they call, run there instead of on the shared cooperative pool, where a few CPU-heavy batch jobs on a 2-core
/// machine can hold up everything else for hundreds of milliseconds. The pipeline puts its alert path on one.
public final class DedicatedExecutor: TaskExecutor, @unchecked Sendable {
    private let queue: DispatchQueue

    public init(label: String, qos: DispatchQoS = .userInitiated) {
        queue = DispatchQueue(label: label, qos: qos)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        queue.async { unowned.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
