import RiskSignalCore

/// What `/readyz` answers for the pipeline, decided from one look at NATS, ClickHouse and the consumer loops: ready
/// only when NATS is connected, ClickHouse answered a ping, and every consumer loop is running and went round within
/// `staleAfter`. Pure: the looks are taken by `PipelineRunner.readiness()`.
public struct PipelineReadiness: Sendable, Equatable {
    /// The NATS connection's state: nil before the pipeline connected, else its status name (`connected`, `reconnecting`, …).
    public var nats: String?
    /// nil when ClickHouse answered its ping, else why not.
    public var clickHouseProblem: String?
    public var loops: ConsumerLoops.Snapshot
    /// Every reason it is not ready, one line each; empty when ready.
    public private(set) var problems: [String] = []

    /// A loop that has not gone round for this long is stuck (a fetch waits at most a second).
    public static let staleAfter: Duration = .seconds(30)

    public init(nats: String?, clickHouseProblem: String?, loops: ConsumerLoops.Snapshot, now: ContinuousClock.Instant, staleAfter: Duration = Self.staleAfter) {
        self.nats = nats
        self.clickHouseProblem = clickHouseProblem
        self.loops = loops
        switch nats {
        case nil: problems.append("nats: not connected yet")
        case "connected"?: break
        case let status?: problems.append("nats: \(status)")
        }
        if let clickHouseProblem { problems.append("clickhouse: \(clickHouseProblem)") }
        if !loops.allStarted { problems.append("consumers: starting (\(loops.loops.count) loops running so far)") }
        for l in loops.loops {
            switch l.state {
            case .running(let beat):
                let quiet = now - beat
                if quiet > staleAfter { problems.append("consumer \(l.name): no progress for \(Int(quiet.seconds)) s") }
            case .ended(let reason):
                problems.append("consumer \(l.name): \(reason)")
            }
        }
    }

    public var isReady: Bool { problems.isEmpty }

    /// The body `/readyz` sends: `ready` and the loops, or `not ready` and one reason a line.
    public var body: String {
        if isReady { return "ready: nats connected, clickhouse answered, \(loops.loops.count) consumer loops running\n" }
        return "not ready\n" + problems.map { $0 + "\n" }.joined()
    }
}
