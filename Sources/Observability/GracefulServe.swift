import Hummingbird
import Logging
import ServiceLifecycle

/// Runs an HTTP server (a stand-in's, rsbench's live /metrics or live page) until the calling task is cancelled, then shuts it down gracefully.
///
/// `Application.runService()` in a cancelled task tears the server down by cancellation, and Hummingbird logs that
/// at error level ("Waiting on child channel: CancellationError()", "Server shutdown error: Already closed"), in
/// every normal run. Here the server runs in a task that does not inherit the caller's cancellation, and a
/// cancellation becomes a graceful shutdown of its service group instead: a clean stop logs nothing at error level.
public func serveUntilCancelled(_ app: some Service, label: String) async throws {
    let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: label)))
    let running = Task { try await group.run() }
    try await withTaskCancellationHandler {
        try await running.value
    } onCancel: {
        Task { await group.triggerGracefulShutdown() }
    }
}
