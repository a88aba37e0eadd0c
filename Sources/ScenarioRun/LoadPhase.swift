import ClickHouse
import JetStream
import LoadDriver
import Measurement
import RiskSignalCore
import Scenario

/// The workloads' drivers, paced from one shared start instant, and the measured window they define.
struct LoadPhase: Sendable {
    /// One workload's driver and the rate it offers.
    struct Entry: Sendable {
        var workload: Workload
        var plan: WorkloadPlan
        var driver: WorkloadDriver
        var offered: Double

        var feeds: [FeedKind] { plan.feeds }
        var isReplay: Bool { plan.replayReport != nil }
    }

    var entries: [Entry]
    let clock = ContinuousClock()
    var startInstant: ContinuousClock.Instant
    var startWall: Int64
    var window: MeasuredWindow
    var end: Duration

    init(plan: ScenarioPlan, scenario: Scenario, session: RunSession) throws {
        startInstant = clock.now + .milliseconds(200)
        startWall = Timestamp.now().nanosSinceEpoch + 200_000_000
        end = scenario.warmup + scenario.duration
        window = MeasuredWindow(start: startWall + scenario.warmup.totalNanoseconds, end: startWall + end.totalNanoseconds)
        var entries: [Entry] = []
        for (w, p) in plan.workloads {
            let offered = p.replayReport != nil ? p.rate.expectedRate(at: 0) : w.rate.meanRate * scenario.rateScale
            var gate: (@Sendable (UInt64) async throws -> Void)?
            if let limit = w.closedLoop, case .generator(let k, _) = w.source {
                gate = Self.closedLoopGate(ch: session.ch, table: k.tableName, limit: UInt64(limit))
            }
            let driver = try WorkloadDriver(plan: p, connection: session.nats, measured: (window.start, window.end), sendGate: gate)
            entries.append(Entry(workload: w, plan: p, driver: driver, offered: offered))
        }
        self.entries = entries
    }

    /// Publishing, as one task the live monitor watches (and may cancel). The open-loop workloads share one pacer (one
    /// wake-up and one batch for everything due across them); a closed-loop workload waits on its own gate.
    func start() -> Task<Void, Error> {
        let openLoop = entries.map(\.driver).filter { !$0.isClosedLoop }
        let closedLoop = entries.map(\.driver).filter(\.isClosedLoop)
        let (wall, instant, end) = (startWall, startInstant, end)
        return Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await LoadPacer().run(openLoop, startWall: wall, startInstant: instant, end: end) }
                for d in closedLoop { group.addTask { try await d.run(startWall: wall, startInstant: instant, end: end) } }
                try await group.waitForAll()
            }
        }
    }

    /// Closed loop: the sender waits while `limit` or more of its events are not yet rows in `table`. The count comes
    /// from ClickHouse itself, so a ClickHouse stall stalls the sender too, the way a request/response tool stalls.
    static func closedLoopGate(ch: ClickHouseClient, table: String, limit: UInt64) -> @Sendable (UInt64) async throws -> Void {
        let stored = Locked<UInt64>(0)
        return { sent in
            while sent >= stored.withLock({ $0 }) + limit {
                let n = UInt64(max(0, try await ch.scalarInt("SELECT count() FROM \(table)")))
                stored.withLock { $0 = n }
                if sent >= n + limit { try await Task.sleep(for: .milliseconds(5)) }
            }
        }
    }
}
