import RiskSignalCore

/// How a workload's arrivals are spaced (DESIGN §4 load model), as a scenario file describes it; rates are events
/// per second. The one rate spec: scenarios parse into it, and `make` builds the `RateModel` a pacer reads.
public enum RateSpec: Sendable, Equatable {
    /// Evenly spaced, the first arrival at 0.
    case constant(Double)
    /// Exponential gaps.
    case poisson(Double)
    /// k6-style: the rate moves linearly from `start` to each stage's target over the stage.
    case ramp(start: Double, stages: [Stage])
    /// Piecewise constant: each stage holds its rate.
    case step([Stage])
    /// Poisson within alternating on and off phases, starting with "on".
    case bursts(onRate: Double, offRate: Double, on: Duration, off: Duration)
    /// Self-exciting: baseline rate, excitation per event and decay (1/s); excitation/decay < 1.
    case hawkes(baseline: Double, excitation: Double, decay: Double)

    /// One stage of a ramp (the rate reached at its end) or of a step profile (the rate held through it).
    public struct Stage: Sendable, Equatable {
        public var duration: Duration
        public var rate: Double

        public init(duration: Duration, rate: Double) {
            self.duration = duration
            self.rate = rate
        }
    }

    /// Builds the model; `scale` (the global rate_scale) multiplies every rate, `end` (ns after the run start) stops
    /// it. A `GeneratorParameterError` names the parameter refused.
    public func make(seed: UInt64, scale: Double = 1, end: Int64 = .max) throws(GeneratorParameterError) -> any RateModel {
        switch self {
        case .constant(let rate):
            return try ConstantRate(rate: rate, scale: scale, end: end)
        case .poisson(let rate):
            return try PoissonRate(rate: rate, seed: seed, scale: scale, end: end)
        case .ramp(let start, let stages):
            return try RampStages(stages: stages.map { ($0.duration, $0.rate) }, startRate: start, scale: scale, end: end)
        case .step(let stages):
            return try StepStages(stages: stages.map { ($0.duration, $0.rate) }, scale: scale, end: end)
        case .bursts(let onRate, let offRate, let on, let off):
            return try OnOffBursts(onRate: onRate, offRate: offRate, onDuration: on, offDuration: off, seed: seed, scale: scale, end: end)
        case .hawkes(let mu, let alpha, let beta):
            return try HawkesRate(baseline: mu, excitation: alpha, decay: beta, seed: seed, scale: scale, end: end)
        }
    }

    /// Long-run mean rate (events/s) over the whole profile, before the scenario's rate_scale (ramps and steps: over
    /// their total duration; Hawkes: μ/(1 − α/β), infinite when α/β ≥ 1).
    public var meanRate: Double {
        switch self {
        case .constant(let rate), .poisson(let rate):
            return rate
        case .ramp(let start, let stages):
            var from = start, area = 0.0, total = 0.0
            for s in stages {
                area += (from + s.rate) / 2 * s.duration.seconds
                total += s.duration.seconds
                from = s.rate
            }
            return total > 0 ? area / total : start
        case .step(let stages):
            let total = stages.reduce(0.0) { $0 + $1.duration.seconds }
            return total > 0 ? stages.reduce(0.0) { $0 + $1.rate * $1.duration.seconds } / total : 0
        case .bursts(let onRate, let offRate, let on, let off):
            return (onRate * on.seconds + offRate * off.seconds) / max(1e-9, on.seconds + off.seconds)
        case .hawkes(let mu, let alpha, let beta):
            return alpha / beta < 1 ? mu / (1 - alpha / beta) : .infinity
        }
    }
}
