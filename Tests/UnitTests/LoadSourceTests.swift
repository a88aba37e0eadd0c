import LoadSource
import Replay
import RiskSignalCore
import Testing

@Suite("LoadSource: count limits and replay feeds")
struct LoadSourceTests {
    @Test func countLimitedRateHandsOutTheBaseModelsFirstArrivalsOnly() throws {
        var base = try ConstantRate(rate: 1000)
        var limited = try CountLimitedRate(try ConstantRate(rate: 1000), count: 5)
        var expected: [Int64] = [], got: [Int64] = []
        var t: Int64 = 0
        for _ in 0..<5 { if let a = base.nextArrival(after: t) { expected.append(a); t = a } }
        t = 0
        while let a = limited.nextArrival(after: t) { got.append(a); t = a }
        #expect(got == expected)
        #expect(got == [0, 1_000_000, 2_000_000, 3_000_000, 4_000_000])
        #expect(limited.nextArrival(after: t) == nil)
        #expect(limited.expectedRate(at: t) == 0)
        var none = try CountLimitedRate(try ConstantRate(rate: 10), count: 0)
        #expect(none.nextArrival(after: -1) == nil)
        #expect(throws: GeneratorParameterError.self) { try CountLimitedRate(try ConstantRate(rate: 10), count: -1) }
    }

    @Test func rateSpecMeanRatesCoverEveryModel() {
        #expect(RateSpec.constant(50).meanRate == 50)
        #expect(RateSpec.ramp(start: 10, stages: [.init(duration: .seconds(10), rate: 100)]).meanRate == 55)
        #expect(RateSpec.step([.init(duration: .seconds(5), rate: 10), .init(duration: .seconds(5), rate: 30)]).meanRate == 20)
        #expect(RateSpec.bursts(onRate: 100, offRate: 0, on: .seconds(1), off: .seconds(3)).meanRate == 25)
        #expect(RateSpec.hawkes(baseline: 10, excitation: 1, decay: 2).meanRate == 20)
        #expect(RateSpec.hawkes(baseline: 10, excitation: 2, decay: 2).meanRate == .infinity)
    }

    @Test func aReplayFeedsTheKindsItCarriesAndNotRecordedOrQuoteMessages() throws {
        let items = [
            ReplayItem(timeNanos: 1, body: .timed(subject: "social.raw.news", eventID: "p1", feed: .social, render: { _ in [] })),
            ReplayItem(timeNanos: 2, body: .raw(subject: "market.l2raw.X-Y", payload: [], eventID: "r1", kind: "recorded")),
            ReplayItem(timeNanos: 3, body: .timed(subject: "frontend.events.web", eventID: "b1", feed: .frontend, render: { _ in [] })),
            ReplayItem(timeNanos: 4, body: .timed(subject: "social.raw.news", eventID: "p2", feed: .social, render: { _ in [] })),
        ]
        let workload = ReplayWorkload(schedule: try ReplaySchedule(items: items, options: ReplayOptions()))
        #expect(workload.feeds == [.frontend, .social])
        #expect(items.map(\.kind) == ["social", "recorded", "frontend", "social"])
    }
}
