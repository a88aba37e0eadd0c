import Synchronization

/// The consumer loops of a running pipeline: each one's last sign of progress, or how it ended. `/readyz` reads it.
public final class ConsumerLoops: Sendable {
    /// Where one loop stands.
    public enum State: Sendable, Equatable {
        /// Running; `lastBeat` is when it last went round its fetch loop.
        case running(lastBeat: ContinuousClock.Instant)
        /// It returned or threw; the reason says which.
        case ended(reason: String)
    }

    /// One loop by name (`trades`, `alerts (orders)`, `webhooks (2)`).
    public struct Loop: Sendable, Equatable {
        public var name: String
        public var state: State

        public init(name: String, state: State) {
            self.name = name
            self.state = state
        }
    }

    /// The loops so far, in start order, and whether every loop the pipeline runs has been started.
    public struct Snapshot: Sendable, Equatable {
        public var allStarted: Bool
        public var loops: [Loop]

        public init(allStarted: Bool, loops: [Loop]) {
            self.allStarted = allStarted
            self.loops = loops
        }
    }

    private let state = Mutex(Snapshot(allStarted: false, loops: []))

    public init() {}

    /// Registers a loop as running from now; its heartbeat is handed to the loop.
    public func start(_ name: String) -> LoopHeartbeat {
        let now = ContinuousClock.now
        state.withLock { s in
            if let i = s.loops.firstIndex(where: { $0.name == name }) { s.loops[i].state = .running(lastBeat: now) }
            else { s.loops.append(Loop(name: name, state: .running(lastBeat: now))) }
        }
        return LoopHeartbeat(loops: self, name: name)
    }

    /// Marks that every loop has been started (before this, the pipeline is still starting up).
    public func allStarted() { state.withLock { $0.allStarted = true } }

    public func end(_ name: String, reason: String) {
        state.withLock { s in
            if let i = s.loops.firstIndex(where: { $0.name == name }) { s.loops[i].state = .ended(reason: reason) }
        }
    }

    func beat(_ name: String) {
        let now = ContinuousClock.now
        state.withLock { s in
            if let i = s.loops.firstIndex(where: { $0.name == name }), case .running = s.loops[i].state { s.loops[i].state = .running(lastBeat: now) }
        }
    }

    public var snapshot: Snapshot { state.withLock { $0 } }
}

/// A loop's handle on `ConsumerLoops`: it calls `beat()` each time round.
public struct LoopHeartbeat: Sendable {
    let loops: ConsumerLoops
    public let name: String

    public func beat() { loops.beat(name) }

    /// The loop returned or threw: `reason` says which.
    public func ended(_ reason: String) { loops.end(name, reason: reason) }
}
