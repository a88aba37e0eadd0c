import Generators
import LoadDriver
import RiskSignalCore
import Scenario

/// Turns a scenario's workloads into generators and rate models, seeded per workload.
public enum WorkloadFactory {
    /// The plan for one workload; `end` is the whole run (warm-up + measured window).
    public static func plan(for w: Workload, scenario: Scenario, end: Duration) throws -> WorkloadPlan {
        let seed = scenario.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(abs(w.name.hashValueStable))
        guard case .generator(let kind, let params) = w.source else {
            throw RunError.invalidScenario("\(scenario.file):\(w.line): workload \(w.name): replay workloads are not implemented yet (see the replay issue)")
        }
        let generator: any EventGenerator
        do {
            generator = try makeGenerator(kind, params: params, seed: seed)
        } catch {
            throw RunError.invalidScenario("\(scenario.file):\(w.line): workloads.\(w.name).params.\(error)")
        }
        let rate: any RateModel
        do {
            rate = try makeRate(w.rate, seed: seed ^ 0xA5A5, scale: scenario.rateScale, end: end.totalNanoseconds)
        } catch {
            throw RunError.invalidScenario("\(scenario.file):\(w.line): workloads.\(w.name).rate: \(error)")
        }
        let injections = scenario.injections.compactMap { i -> (offset: Duration, injection: Injection)? in
            guard let kind = Injection.Kind(rawValue: i.kind) else { return nil }
            return (scenario.warmup + i.at, Injection(kind: kind, target: i.target, magnitude: i.magnitude, duration: i.duration))
        }
        return WorkloadPlan(name: w.name, generator: generator, rate: rate, injections: injections)
    }

    public static func makeRate(_ spec: RateSpec, seed: UInt64, scale: Double, end: Int64) throws -> any RateModel {
        switch spec {
        case .constant(let r): return try ConstantRate(rate: r, scale: scale, end: end)
        case .poisson(let r): return try PoissonRate(rate: r, seed: seed, scale: scale, end: end)
        case .ramp(let start, let stages):
            return try RampStages(stages: stages.map { (duration: $0.duration, target: $0.rate) }, startRate: start, scale: scale, end: end)
        case .step(let stages):
            return try StepStages(stages: stages.map { (duration: $0.duration, rate: $0.rate) }, scale: scale, end: end)
        case .bursts(let on, let off, let a, let b):
            return try OnOffBursts(onRate: on, offRate: off, onDuration: a, offDuration: b, seed: seed, scale: scale, end: end)
        case .hawkes(let mu, let alpha, let beta):
            return try HawkesRate(baseline: mu, excitation: alpha, decay: beta, seed: seed, scale: scale, end: end)
        }
    }
}

extension String {
    /// A hash that is the same in every process (Swift's `hashValue` is randomly seeded per process).
    var hashValueStable: Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h >> 1)
    }
}
