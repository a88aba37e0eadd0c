import Foundation
import Reporting
import Testing

/// `KneeSearch` fed recorded probe outcomes: which rates it probes, how often, and the knee interval it reports.
@Suite struct KneeSearchTests {
    /// Probe outcomes recorded per rate scale, handed out in order; a rate with none left repeats its last.
    struct Recorded {
        var outcomes: [Double: [Bool]]
        var served: [Double: Int] = [:]

        mutating func probe(_ scale: Double) -> SearchProbe {
            let list = outcomes[scale] ?? [scale <= 4]
            let i = served[scale, default: 0]
            served[scale] = i + 1
            let ok = list[min(i, list.count - 1)]
            return SearchProbe(rateScale: scale, offeredRate: scale * 1000, achievedRate: scale * 1000, e2eP50Ms: 10, e2eP99Ms: ok ? 100 : 4000,
                               maxPending: 0, maxParts: 1, drained: true, status: "pass", sustainable: ok,
                               why: ok ? [] : ["gate e2e_lag.p99 < 3s failed"])
        }
    }

    /// Runs a whole search against `recorded`; returns the result and the scales in the order they were probed.
    func search(_ config: KneeSearch.Config, _ recorded: inout Recorded) throws -> (SearchResult, [Double]) {
        var s = try KneeSearch(config: config)
        var order: [Double] = []
        while let step = s.next {
            order.append(step.rateScale)
            s.record(recorded.probe(step.rateScale), for: step)
        }
        return (s.result(scenario: "t"), order)
    }

    @Test func cleanKneeIsConfirmedWithThreeProbesAtEachBound() throws {
        // Sustainable up to scale 4, failing from 8; no bisection, so the bounds are 4 and 8.
        var rec = Recorded(outcomes: [:])
        let (r, order) = try search(KneeSearch.Config(bisectSteps: 0), &rec)
        #expect(order == [1, 2, 4, 8, 4, 4, 8, 8])
        #expect(r.knee?.rateScale == 4)
        #expect(r.firstFailure?.rateScale == 8)
        #expect(r.knee?.probes.count == 3)
        #expect(r.firstFailure?.probes.count == 3)
        #expect(r.confirmed)
        #expect(r.probes.count == 8, "every probe is kept in the result")
    }

    @Test func oneNoisyFailureAtTheLastSustainableRateDoesNotMoveTheKnee() throws {
        // Scale 4 passes, then fails once, then passes: 2 of 3 is a majority.
        var rec = Recorded(outcomes: [4: [true, false, true]])
        let (r, _) = try search(KneeSearch.Config(bisectSteps: 0), &rec)
        #expect(r.knee?.rateScale == 4)
        #expect(r.knee?.sustainedCount == 2)
        #expect(r.knee?.isSustainable == true)
        #expect(r.firstFailure?.rateScale == 8)
    }

    @Test func oneLuckyPassAtTheFirstFailingRateDoesNotMoveTheKnee() throws {
        // Scale 8 fails, then passes once, then fails: 1 of 3 is no majority.
        var rec = Recorded(outcomes: [8: [false, true, false]])
        let (r, _) = try search(KneeSearch.Config(bisectSteps: 0), &rec)
        #expect(r.knee?.rateScale == 4)
        #expect(r.firstFailure?.rateScale == 8)
        #expect(r.firstFailure?.sustainedCount == 1)
    }

    @Test func aSustainableRateThatFailsByMajorityOnRepeatMovesTheIntervalDown() throws {
        // The single step-up probe at 4 was lucky: repeats fail it, so 4 becomes the upper bound and 2 is confirmed.
        var rec = Recorded(outcomes: [4: [true, false, false]])
        let (r, order) = try search(KneeSearch.Config(bisectSteps: 0), &rec)
        #expect(r.knee?.rateScale == 2)
        #expect(r.firstFailure?.rateScale == 4)
        #expect(r.knee?.probes.count == 3)
        #expect(r.firstFailure?.probes.count == 3)
        #expect(r.confirmed)
        #expect(!order.contains(8) || r.rates.first { $0.rateScale == 8 }?.probes.count == 1, "8 is no longer a bound")
    }

    @Test func aFailingRateThatPassesByMajorityOnRepeatMovesTheIntervalUp() throws {
        // 8 failed once by noise; repeats pass it, so the search steps up again and finds 16 failing.
        var rec = Recorded(outcomes: [8: [false, true, true], 16: [false]])
        let (r, _) = try search(KneeSearch.Config(bisectSteps: 0), &rec)
        #expect(r.knee?.rateScale == 8)
        #expect(r.firstFailure?.rateScale == 16)
        #expect(r.confirmed)
    }

    @Test func bisectionNarrowsTheIntervalBeforeConfirming() throws {
        // Sustainable up to 5: step 1, 2, 4, 8 (fails), bisect 6 (fails), 5 (passes), then confirm 5 and 6.
        var rec = Recorded(outcomes: [:])
        rec.outcomes = Dictionary(uniqueKeysWithValues: [1.0, 2, 4, 8, 6, 5].map { ($0, [$0 <= 5]) })
        let (r, order) = try search(KneeSearch.Config(bisectSteps: 2), &rec)
        #expect(Array(order.prefix(6)) == [1, 2, 4, 8, 6, 5])
        #expect(r.knee?.rateScale == 5)
        #expect(r.firstFailure?.rateScale == 6)
        #expect(r.knee?.offeredRate == 5000)
        #expect(r.firstFailure?.offeredRate == 6000)
    }

    @Test func maxProbesStopsTheSearchAndMarksTheIntervalUnconfirmed() throws {
        var rec = Recorded(outcomes: [:])
        let (r, order) = try search(KneeSearch.Config(bisectSteps: 0, maxProbes: 6), &rec)
        #expect(order.count == 6)
        #expect(!r.confirmed)
        #expect(r.note?.contains("--max-probes 6") == true)
    }

    @Test func startRateFailingByMajorityMeansNoSustainableRate() throws {
        var rec = Recorded(outcomes: [1: [false, false, true]])
        let (r, order) = try search(KneeSearch.Config(), &rec)
        #expect(order == [1, 1, 1])
        #expect(r.knee == nil)
        #expect(r.firstFailure?.rateScale == 1)
        let md = SearchReportWriter.markdown(r)
        #expect(md.contains("No sustainable rate"))
    }

    @Test func reportStatesTheRuleTheIntervalAndEveryProbe() throws {
        var rec = Recorded(outcomes: [4: [true, false, true]])
        let (r, _) = try search(KneeSearch.Config(bisectSteps: 0), &rec)
        let md = SearchReportWriter.markdown(r)
        #expect(md.contains("**Knee: [4000, 8000) events/s**"), "\(md)")
        #expect(md.contains(RateTally.rule))
        #expect(md.contains("| 4.000 | 4000 | 4000 | 100 | 2 / 3 | sustainable |"), "\(md)")
        // One row per probe, numbered in run order.
        #expect(md.contains("| 8 | 8.000 |"), "\(md)")
        let json = try JSONEncoder().encode(r)
        let back = try JSONDecoder().decode(SearchResult.self, from: json)
        #expect(back.probes.count == r.probes.count)
        #expect(back.knee == r.knee)
    }

    @Test func tieIsNotSustainable() {
        let p = { (ok: Bool) in SearchProbe(rateScale: 1, offeredRate: 1, achievedRate: 1, e2eP50Ms: nil, e2eP99Ms: nil, maxPending: 0, maxParts: 0,
                                            drained: true, status: "pass", sustainable: ok, why: []) }
        #expect(!RateTally(rateScale: 1, probes: [p(true), p(false)]).isSustainable)
        #expect(RateTally(rateScale: 1, probes: [p(true), p(false), p(true)]).isSustainable)
    }

    @Test(arguments: [
        (KneeSearch.Config(repeats: 2), "--repeats"),
        (KneeSearch.Config(maxProbes: 5), "--max-probes"),
        (KneeSearch.Config(factor: 1), "--factor"),
        (KneeSearch.Config(maxSteps: 0), "--max-steps"),
        (KneeSearch.Config(bisectSteps: -1), "--bisect-steps"),
        (KneeSearch.Config(probeDuration: .milliseconds(500)), "--probe-duration"),
        (KneeSearch.Config(probeDuration: .seconds(7200)), "--probe-duration"),
        (KneeSearch.Config(startScale: 0), "--start-scale"),
    ])
    func badConfigNamesItsFlag(config: KneeSearch.Config, flag: String) {
        let error = #expect(throws: SearchConfigError.self) { try config.validate() }
        #expect(error?.description.hasPrefix(flag + " ") == true, "\(String(describing: error))")
    }
}
