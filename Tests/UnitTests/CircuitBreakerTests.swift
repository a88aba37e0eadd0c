import Pipeline
import Testing

/// The per-endpoint circuit breaker as a value, on explicit instants: when it opens, how long, and the single probe.
@Suite struct CircuitBreakerTests {
    let t0 = ContinuousClock.now

    @Test func opensAfterTheThresholdOfFailuresInARowAndASuccessResetsTheCount() {
        var b = BreakerState(threshold: 3, baseOpen: .seconds(1), maxOpen: .seconds(8))
        b.record(success: false, now: t0)
        b.record(success: false, now: t0)
        b.record(success: true, now: t0)
        b.record(success: false, now: t0)
        b.record(success: false, now: t0)
        #expect(b.permit(now: t0) == .send, "two failures since the last success: still closed")
        b.record(success: false, now: t0)
        #expect(b.state == .open(until: t0 + .seconds(1)))
        #expect(b.openings == 1)
        #expect(b.permit(now: t0 + .milliseconds(500)) == .wait(until: t0 + .seconds(1)))
    }

    @Test func oneProbeAtATimeThenClosedOrReopenedForTwiceAsLongUpToTheMaximum() {
        var b = BreakerState(threshold: 1, baseOpen: .seconds(1), maxOpen: .seconds(3))
        b.record(success: false, now: t0)
        var now = t0 + .seconds(1)
        #expect(b.permit(now: now) == .probe)
        #expect(b.permit(now: now) == .waitForProbe, "the others wait for the probe's answer")
        b.record(success: false, now: now)
        #expect(b.state == .open(until: now + .seconds(2)), "a failed probe reopens it for twice as long")
        now = now + .seconds(2)
        #expect(b.permit(now: now) == .probe)
        b.record(success: false, now: now)
        #expect(b.state == .open(until: now + .seconds(3)), "capped at maxOpen")
        now = now + .seconds(3)
        #expect(b.permit(now: now) == .probe)
        b.record(success: true, now: now)
        #expect(b.state == .closed)
        #expect(b.permit(now: now) == .send)
        b.record(success: false, now: now)
        #expect(b.state == .open(until: now + .seconds(1)), "a success resets the cool-off to its start")
        #expect(b.openings == 4)
    }
}
