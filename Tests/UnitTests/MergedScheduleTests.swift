import LoadDriver
import LoadSource
import RiskSignalCore
import Testing

/// The pacer's one schedule over many workloads must hand out exactly what each workload's own schedule would.
@Suite("LoadDriver: merged schedule")
struct MergedScheduleTests {
    /// Records where injections landed: each event's payload is the number of injections applied before it.
    struct Probe: EventGenerator {
        var name: String
        var injectedAt: [Int64] = []
        var feeds: [FeedKind] { [.trades] }
        mutating func next(at intendedNanos: Int64) -> GeneratedEvent {
            GeneratedEvent(subject: name, payload: Array(String(injectedAt.count).utf8), eventID: "\(name)-\(intendedNanos)", intendedNanos: intendedNanos)
        }
        mutating func inject(_ injection: Injection, at intendedNanos: Int64) { injectedAt.append(intendedNanos) }
    }

    struct Emitted: Equatable, CustomStringConvertible {
        var intended: Int64
        var injectionsBefore: Int
        var description: String { "\(intended)/\(injectionsBefore)" }
    }

    static let startWall: Int64 = 1_795_000_000_000_000_000
    static let end: Int64 = 3_000_000_000

    static func plans() throws -> [WorkloadPlan] {
        let spike = Injection(kind: .liquidityDrop, target: "BTC-USDT", magnitude: 0.5, duration: .seconds(1))
        return [
            WorkloadPlan(name: "constant", generator: Probe(name: "constant"), rate: try ConstantRate(rate: 1_000),
                         injections: [(.milliseconds(1_500), spike), (.milliseconds(250), spike)]),
            WorkloadPlan(name: "poisson", generator: Probe(name: "poisson"), rate: try PoissonRate(rate: 700, seed: 7)),
            WorkloadPlan(name: "hawkes", generator: Probe(name: "hawkes"), rate: try HawkesRate(baseline: 200, excitation: 0.8, decay: 2, seed: 9),
                         injections: [(.milliseconds(999), spike)]),
            WorkloadPlan(name: "bursts", generator: Probe(name: "bursts"),
                         rate: try OnOffBursts(onRate: 3_000, offRate: 10, onDuration: .milliseconds(200), offDuration: .milliseconds(600), seed: 3)),
            WorkloadPlan(name: "counted", generator: Probe(name: "counted"), rate: try CountLimitedRate(try ConstantRate(rate: 400), count: 37),
                         injections: [(.milliseconds(40), spike), (.seconds(10), spike)]),
            WorkloadPlan(name: "ramp", generator: Probe(name: "ramp"), rate: try RampStages(stages: [(.seconds(2), 2_000)], startRate: 10)),
            WorkloadPlan(name: "step", generator: Probe(name: "step"), rate: try StepStages(stages: [(.seconds(1), 50), (.seconds(1), 900)])),
        ]
    }

    /// Drains a schedule by advancing "now" in steps drawn from `steps` (cycled), taking at most `limit` per workload each step.
    static func drain(_ schedule: inout MergedSchedule, steps: [Int64], limit: Int) -> [[Emitted]] {
        var out = [[Emitted]](repeating: [], count: schedule.workloadCount)
        var now: Int64 = 0, i = 0
        while let earliest = schedule.earliest {
            // Never earlier than the earliest arrival (the pacer sleeps until then), sometimes well past it.
            now = max(now + steps[i % steps.count], earliest)
            i += 1
            for w in 0..<schedule.workloadCount {
                schedule.takeDue(w, by: now, limit: limit) { e, t in
                    #expect(t <= now, "an event is never sent before it is due")
                    #expect(e.intendedNanos == startWall + t)
                    out[w].append(Emitted(intended: e.intendedNanos, injectionsBefore: Int(String(decoding: e.payload, as: UTF8.self))!))
                }
            }
        }
        return out
    }

    @Test func mergedScheduleEmitsEachWorkloadsOwnSequenceWithInjectionsInPlace() throws {
        let plans = try Self.plans()
        var merged = MergedSchedule(plans: plans, startWall: Self.startWall, endOffset: Self.end)
        // Coarse, uneven ticks and a small per-wake limit: the pacer falling behind must not change what is sent.
        let together = Self.drain(&merged, steps: [1_000_000, 250_000, 7_000_000, 0, 40_000_000], limit: 3)
        #expect(merged.earliest == nil)
        for (w, plan) in plans.enumerated() {
            var alone = MergedSchedule(plans: [plan], startWall: Self.startWall, endOffset: Self.end)
            let separate = Self.drain(&alone, steps: [123_456], limit: 2_000)[0]
            #expect(together[w] == separate, "workload \(plan.name): merged and separate schedules differ")

            // And both are exactly the rate model's arrivals before the end, each after the injections due by then.
            var rate = plan.rate
            var expected: [Emitted] = []
            var t = rate.nextArrival(after: -1)
            let injections = plan.injections.map { $0.offset.totalNanoseconds }
            while let a = t, a < Self.end {
                expected.append(Emitted(intended: Self.startWall + a, injectionsBefore: injections.filter { $0 <= a }.count))
                t = rate.nextArrival(after: a)
            }
            #expect(!expected.isEmpty)
            #expect(separate == expected, "workload \(plan.name): schedule differs from its rate model")
        }
        #expect(together[4].count == 37, "a count limit holds in the merged schedule")
        #expect(together[0].last?.injectionsBefore == 2, "both constant-rate injections applied, in offset order")
    }

    @Test func earliestIsTheSoonestArrivalAcrossWorkloadsAndRespectsTheEnd() throws {
        let plans = try Self.plans()
        var merged = MergedSchedule(plans: plans, startWall: Self.startWall, endOffset: 500_000)
        // The constant rate starts at offset 0.
        #expect(merged.earliest == 0)
        for w in 0..<merged.workloadCount { merged.takeDue(w, by: 0, limit: .max) { _, _ in } }
        let next = try #require(merged.earliest)
        #expect(next > 0 && next < 500_000)
        var taken = 0
        for w in 0..<merged.workloadCount { taken += merged.takeDue(w, by: .max - 1, limit: .max) { _, t in #expect(t < 500_000) } }
        #expect(taken > 0)
        #expect(merged.earliest == nil, "nothing at or past the end is ever due")
    }
}
