import Foundation
import Hummingbird
import Observability
import Synchronization

/// The live page's server: `GET /` the page, `GET /events` server-sent events (the latest frame at once, then one a
/// second), `GET /frame` the latest frame as JSON, `GET /report` the written `report.html` once the run has ended.
/// Loopback only. Frames are JSON-encoded once, whatever the number of open pages.
public final class LiveDashboard: Sendable {
    private struct State {
        var latest: String?
        var subscribers: [Int: AsyncStream<ByteBuffer>.Continuation] = [:]
        var nextID = 0
        var report: [UInt8]?
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Serves on 127.0.0.1:`port` (0: any free port, handed to `onListening`) until the task is cancelled; open
    /// event streams are ended first, so the graceful shutdown has nothing to wait for.
    public func run(port: Int = 0, onListening: @escaping @Sendable (Int) async -> Void) async throws {
        let router = Router()
        router.get("/") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                     body: .init(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
        router.get("events") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                     body: ResponseBody(asyncSequence: self.subscribe()))
        }
        router.get("frame") { _, _ -> Response in
            guard let latest = self.state.withLock({ $0.latest }) else {
                return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "no frame yet: the run has not started its load\n")))
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: latest)))
        }
        router.get("report") { _, _ -> Response in
            guard let report = self.state.withLock({ $0.report }) else {
                return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "the run has not ended yet\n")))
            }
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: report)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "rsbench-live"),
                              onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) })
        try await withTaskCancellationHandler {
            try await serveUntilCancelled(app, label: "rsbench.live")
        } onCancel: {
            self.close()
        }
    }

    /// Sends a frame to every open page and keeps it for pages that open later.
    public func publish(_ frame: LiveFrame) {
        guard let json = try? String(decoding: JSONEncoder().encode(frame), as: UTF8.self) else { return }
        // SSE: the JSON has no raw newline (JSONEncoder escapes them in strings), so one `data:` line holds it.
        let event = ByteBuffer(string: "data: \(json)\n\n")
        let subscribers = state.withLock { s -> [AsyncStream<ByteBuffer>.Continuation] in
            s.latest = json
            return s.closed ? [] : Array(s.subscribers.values)
        }
        for c in subscribers { c.yield(event) }
    }

    /// The last frame, with the written report served at `/report` from now on.
    public func finish(_ frame: LiveFrame, reportHTML: [UInt8]?) {
        state.withLock { $0.report = reportHTML }
        publish(frame)
    }

    /// Ends every open event stream; later pages get the latest frame and an ended stream.
    public func close() {
        let subscribers = state.withLock { s -> [AsyncStream<ByteBuffer>.Continuation] in
            s.closed = true
            defer { s.subscribers = [:] }
            return Array(s.subscribers.values)
        }
        for c in subscribers { c.finish() }
    }

    private func subscribe() -> AsyncStream<ByteBuffer> {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingNewest(8))
        let (id, latest, closed) = state.withLock { s -> (Int, String?, Bool) in
            let id = s.nextID
            s.nextID += 1
            if !s.closed { s.subscribers[id] = continuation }
            return (id, s.latest, s.closed)
        }
        if let latest { continuation.yield(ByteBuffer(string: "data: \(latest)\n\n")) }
        if closed {
            continuation.finish()
        } else {
            continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) } }
        }
        return stream
    }
}
