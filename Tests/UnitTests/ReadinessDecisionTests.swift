import Pipeline
import Testing

/// `PipelineReadiness` decided from recorded looks at NATS, ClickHouse and the loops (no I/O, no clock but the one given).
@Suite struct ReadinessDecisionTests {
    let now = ContinuousClock.now

    func loops(_ states: [(String, ConsumerLoops.State)], allStarted: Bool = true) -> ConsumerLoops.Snapshot {
        ConsumerLoops.Snapshot(allStarted: allStarted, loops: states.map { ConsumerLoops.Loop(name: $0.0, state: $0.1) })
    }

    @Test func readyWhenNATSConnectedClickHouseAnswersAndEveryLoopBeatRecently() {
        let r = PipelineReadiness(nats: "connected", clickHouseProblem: nil,
                                  loops: loops([("trades", .running(lastBeat: now - .seconds(1))), ("signals", .running(lastBeat: now))]), now: now)
        #expect(r.isReady)
        #expect(r.problems.isEmpty)
        #expect(r.body == "ready: nats connected, clickhouse answered, 2 consumer loops running\n")
    }

    @Test func eachFailingCheckIsAReasonLine() {
        let r = PipelineReadiness(nats: "reconnecting", clickHouseProblem: "http://ch:8123 did not answer a ping: connection refused",
                                  loops: loops([("trades", .running(lastBeat: now - .seconds(45))), ("alerts (orders)", .ended(reason: "failed: boom"))]), now: now)
        #expect(!r.isReady)
        #expect(r.problems == ["nats: reconnecting", "clickhouse: http://ch:8123 did not answer a ping: connection refused",
                               "consumer trades: no progress for 45 s", "consumer alerts (orders): failed: boom"])
        #expect(r.body.hasPrefix("not ready\nnats: reconnecting\n"))
    }

    @Test func notReadyWhileStartingUp() {
        let r = PipelineReadiness(nats: nil, clickHouseProblem: "not reached yet", loops: loops([], allStarted: false), now: now)
        #expect(r.problems == ["nats: not connected yet", "clickhouse: not reached yet", "consumers: starting (0 loops running so far)"])
    }

    @Test func loopRegistryTracksBeatsAndEnds() {
        let registry = ConsumerLoops()
        let beat = registry.start("trades")
        _ = registry.start("signals")
        #expect(registry.snapshot.allStarted == false)
        registry.allStarted()
        beat.beat()
        beat.ended("stopped (idle)")
        let s = registry.snapshot
        #expect(s.allStarted)
        #expect(s.loops.map(\.name) == ["trades", "signals"])
        #expect(s.loops[0].state == .ended(reason: "stopped (idle)"))
        let r = PipelineReadiness(nats: "connected", clickHouseProblem: nil, loops: s, now: .now)
        #expect(r.problems == ["consumer trades: stopped (idle)"])
    }
}
