import StandIns
import Synchronization

/// Starts a webhook receiver on a free loopback port and waits until it listens: the serving task (cancel it to stop
/// the receiver) and the port.
func startReceiver(_ receiver: WebhookReceiver) async throws -> (Task<Void, Error>, Int) {
    let port = Mutex<Int?>(nil)
    let task = Task { try await receiver.run(onListening: { p in port.withLock { $0 = p } }) }
    try await eventually("the receiver to listen") { port.withLock { $0 } != nil }
    return (task, port.withLock { $0 }!)
}
