import Foundation
import StandIns

/// What a run started and so must stop, even after Ctrl-C: the webhook receiver, the pipeline, the connections and
/// the local stack (when this run brought it up).
struct StartedResources: @unchecked Sendable {
    var target: RunTarget?
    var session: RunSession?
    var receiverTask: Task<Void, Error>?
    var pipeline: PipelineProcess?
    /// rsbench's own live `/metrics` endpoint.
    var metricsTask: Task<Void, Never>?

    func stop(keepStack: Bool, say: @Sendable (String) -> Void) async {
        receiverTask?.cancel()
        if let metricsTask {
            metricsTask.cancel()
            await metricsTask.value
        }
        if let p = pipeline {
            let status = p.stop()
            say("[run] stopped the pipeline (pid \(p.pid), exit \(status))")
        }
        await session?.close()
        target?.stopStartedStack(keep: keepStack, log: { say("[run] \($0)") })
    }
}
