import Measurement
import Reporting
import Testing

/// Alert stages from delivered alerts' instants: each stage between its two instants, per rule and over all.
@Suite struct AlertStagesBuilderTests {
    static let t0: Int64 = 1_800_000_000_000_000_000
    static let ms: Int64 = 1_000_000

    @Test func eachStageIsTheGapBetweenItsInstantsPerRuleAndOverall() throws {
        func alert(_ rule: String, _ offsetsMs: [Int64]) -> AlertInstants {
            let t = offsetsMs.map { Self.t0 + $0 * Self.ms }
            return AlertInstants(rule: rule, intended: t[0], received: t[1], detected: t[2], stored: t[3], sent: t[4], receipt: t[5], answered: t[6])
        }
        let alerts = [
            alert("liquidity_drop", [0, 4, 5, 7, 17, 19, 20]),
            alert("liquidity_drop", [0, 6, 7, 9, 39, 41, 42]),
            alert("order_velocity", [0, 10, 10, 11, 12, 13, 13]),
        ]
        let s = try #require(AlertStagesBuilder.build(alerts))
        #expect(s.rules.map(\.rule) == ["liquidity_drop", "order_velocity"])
        #expect(s.rules.map(\.alerts) == [2, 1])
        #expect(s.unstamped == 0)
        let drop = try #require(s.rules.first)
        // HdrHistogram keeps 3 significant digits: equal to the gap within 0.1 %.
        func near(_ v: Double?, _ want: Double) -> Bool { v.map { abs($0 - want) <= want * 0.001 } ?? false }
        #expect(near(drop.stages["to_detector"]?.p50, 4) && near(drop.stages["to_detector"]?.max, 6))
        #expect(near(drop.stages["detect"]?.p99, 1))
        #expect(near(drop.stages["publish"]?.p99, 2))
        #expect(near(drop.stages["dispatch"]?.p50, 10) && near(drop.stages["dispatch"]?.max, 30))
        #expect(near(drop.stages["webhook"]?.p99, 2))
        #expect(near(drop.stages["answer"]?.p99, 1))
        #expect(s.overall["to_detector"]?.count == 3)
        #expect(near(s.overall["to_detector"]?.max, 10))
        #expect(s.summary("detect", rule: "order_velocity")?.max == 0)
        // The stages that add up give the alert latency (receipt − intended) of each alert.
        for a in alerts {
            let st = a.stages
            #expect(AlertStages.stacked.reduce(0) { $0 + st[$1]! } == a.receipt! - a.intended!)
        }
    }

    @Test func missingInstantsLeaveTheirStagesOutAndUnstampedAlertsAreCounted() throws {
        let partial = AlertInstants(rule: "social_buzz", intended: Self.t0, received: Self.t0 + 2 * Self.ms, detected: Self.t0 + 3 * Self.ms,
                                    receipt: Self.t0 + 50 * Self.ms)
        let old = AlertInstants(rule: "social_buzz", intended: Self.t0, receipt: Self.t0 + 9 * Self.ms)
        // A stage whose instants come from two clocks a little apart counts as 0, never negative.
        let skewed = AlertInstants(rule: "social_buzz", intended: Self.t0, received: Self.t0 - Self.ms, detected: Self.t0)
        let s = try #require(AlertStagesBuilder.build([partial, old, skewed]))
        #expect(s.unstamped == 1)
        #expect(s.rules.first?.alerts == 2)
        #expect(Set(s.overall.keys) == ["to_detector", "detect"])
        #expect(s.overall["to_detector"]?.p50 == 0)
        #expect(AlertStagesBuilder.build([old]) == nil, "nothing stamped: no stages rather than empty ones")
    }
}
