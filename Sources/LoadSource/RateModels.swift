import RiskSignalCore

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

let nanosPerSecond = 1e9

/// Evenly spaced arrivals at `rate × scale` per second, the first at t = 0.
public struct ConstantRate: RateModel {
    /// Events per second, `scale` applied.
    public let rate: Double
    /// Last instant an arrival may fall on (ns after the run start).
    public let end: Int64
    private let periodNanos: Double
    private var index: Int64 = 0
    private var started = false

    public init(rate: Double, scale: Double = 1, end: Int64 = .max) throws(GeneratorParameterError) {
        try ParameterCheck.positive(rate, "rate")
        try ParameterCheck.positive(scale, "scale")
        self.rate = rate * scale
        self.end = end
        periodNanos = nanosPerSecond / self.rate
    }

    @inline(__always) private func time(_ k: Int64) -> Int64 { Int64((Double(k) * periodNanos).rounded()) }

    public mutating func nextArrival(after t: Int64) -> Int64? {
        let inclusive = !started
        started = true
        // Arrival k is at round(k·period): start from the estimate and step to the first one past t.
        var k = max(index, t <= 0 ? 0 : Int64(Double(t) / periodNanos))
        while inclusive ? time(k) < t : time(k) <= t { k += 1 }
        index = k + 1
        let at = time(k)
        return at > end ? nil : at
    }

    public func expectedRate(at t: Int64) -> Double { t > end ? 0 : rate }
}

/// A Poisson process: exponential gaps with mean 1/(rate × scale).
public struct PoissonRate: RateModel {
    /// Events per second, `scale` applied.
    public let rate: Double
    public let end: Int64
    private var draw: ArrivalDraw

    public init(rate: Double, seed: UInt64, scale: Double = 1, end: Int64 = .max) throws(GeneratorParameterError) {
        try ParameterCheck.positive(rate, "rate")
        try ParameterCheck.positive(scale, "scale")
        self.rate = rate * scale
        self.end = end
        draw = ArrivalDraw(seed: seed)
    }

    public mutating func nextArrival(after t: Int64) -> Int64? {
        let gap = draw.exponential(rate: rate) * nanosPerSecond
        let at = t &+ max(1, Int64(gap.rounded()))
        return at > end || at < t ? nil : at
    }

    public func expectedRate(at t: Int64) -> Double { t > end ? 0 : rate }
}

/// A rate that is piecewise linear in time; arrivals fall where the cumulative expected count Λ(t) reaches
/// k − ½ (k = 1, 2, …), so the count over any stretch is its integral rounded, with no sampling noise, and no
/// arrival sits on a stage boundary.
struct PiecewiseLinearArrivals: Sendable {
    struct Segment: Sendable {
        var start: Int64
        var length: Int64
        /// Rate at the start (events/s) and its slope (events/s²).
        var rate: Double
        var slope: Double
        /// Λ at the start of the segment.
        var cumulative: Double
        var total: Double { rate * seconds + slope * seconds * seconds / 2 }
        var seconds: Double { Double(length) / nanosPerSecond }
    }

    let segments: [Segment]
    let end: Int64
    /// The last k − ½ handed out.
    private var lastTarget: Double = -0.5

    /// `points`: (duration, rate at the start, rate at the end) per stage.
    init(stages: [(length: Int64, from: Double, to: Double)], end: Int64) {
        var segs: [Segment] = []
        var start: Int64 = 0
        var cumulative = 0.0
        for s in stages {
            let secs = Double(s.length) / nanosPerSecond
            let seg = Segment(start: start, length: s.length, rate: s.from, slope: (s.to - s.from) / secs, cumulative: cumulative)
            cumulative += seg.total
            segs.append(seg)
            start = start.addingReportingOverflow(s.length).overflow ? .max : start + s.length
        }
        segments = segs
        self.end = min(end, start)
    }

    func segmentIndex(at t: Int64) -> Int? {
        var lo = 0, hi = segments.count - 1
        guard hi >= 0, t >= 0, t < segments[hi].start + segments[hi].length else { return nil }
        while lo < hi {
            let mid = (lo + hi + 1) >> 1
            if segments[mid].start <= t { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    func rate(at t: Int64) -> Double {
        guard t <= end, let j = segmentIndex(at: t) else { return 0 }
        let s = segments[j]
        return max(0, s.rate + s.slope * Double(t - s.start) / nanosPerSecond)
    }

    func count(at t: Int64) -> Double {
        guard let last = segments.last else { return 0 }
        if t <= 0 { return 0 }
        guard let j = segmentIndex(at: t) else { return last.cumulative + last.total }
        let s = segments[j]
        let x = Double(t - s.start) / nanosPerSecond
        return s.cumulative + s.rate * x + s.slope * x * x / 2
    }

    mutating func nextArrival(after t: Int64) -> Int64? {
        // The count to reach: the next half-integer past Λ(t), and never one already handed out.
        let k = max((count(at: t) + 0.5 + 1e-9).rounded(.down) + 0.5, lastTarget + 1)
        var j = segmentIndex(at: max(t, 0)) ?? segments.count
        while j < segments.count, segments[j].cumulative + segments[j].total < k { j += 1 }
        guard j < segments.count else { return nil }
        let s = segments[j]
        let need = k - s.cumulative
        // Solve rate·x + slope·x²/2 = need in the stable form 2·need / (rate + √(rate² + 2·slope·need)).
        let disc = max(0, s.rate * s.rate + 2 * s.slope * need)
        let denom = s.rate + disc.squareRoot()
        let x = denom > 0 ? 2 * need / denom : Double(s.length) / nanosPerSecond
        let at = max(t &+ 1, s.start &+ min(s.length, Int64((x * nanosPerSecond).rounded(.up))))
        guard at <= end else { return nil }
        lastTarget = k
        return at
    }
}

/// k6-style ramping: the rate moves linearly from the previous target (first `startRate`) to each stage's target
/// over the stage; arrivals are deterministic (where the expected count reaches k − ½); the model ends after the
/// last stage.
public struct RampStages: RateModel {
    private var arrivals: PiecewiseLinearArrivals

    public init(stages: [(duration: Duration, target: Double)], startRate: Double = 0, scale: Double = 1,
                end: Int64 = .max) throws(GeneratorParameterError) {
        try ParameterCheck.nonNegative(startRate, "startRate")
        try ParameterCheck.positive(scale, "scale")
        guard !stages.isEmpty else { throw .init(parameter: "stages", message: "must have at least one stage") }
        var from = startRate * scale
        var list: [(length: Int64, from: Double, to: Double)] = []
        for (i, s) in stages.enumerated() {
            try ParameterCheck.positive(s.duration, "stages[\(i)].duration")
            try ParameterCheck.nonNegative(s.target, "stages[\(i)].target")
            list.append((s.duration.totalNanoseconds, from, s.target * scale))
            from = s.target * scale
        }
        arrivals = PiecewiseLinearArrivals(stages: list, end: end)
    }

    public mutating func nextArrival(after t: Int64) -> Int64? { arrivals.nextArrival(after: t) }
    public func expectedRate(at t: Int64) -> Double { arrivals.rate(at: t) }
    /// Expected arrivals from the start to `t`: the integral of the rate.
    public func expectedCount(upTo t: Int64) -> Double { arrivals.count(at: t) }
}

/// Piecewise-constant rates: each stage holds its rate for its duration, arrivals evenly spaced within it (where the
/// expected count reaches k − ½); the model ends after the last stage.
public struct StepStages: RateModel {
    private var arrivals: PiecewiseLinearArrivals

    public init(stages: [(duration: Duration, rate: Double)], scale: Double = 1, end: Int64 = .max) throws(GeneratorParameterError) {
        try ParameterCheck.positive(scale, "scale")
        guard !stages.isEmpty else { throw .init(parameter: "stages", message: "must have at least one stage") }
        var list: [(length: Int64, from: Double, to: Double)] = []
        for (i, s) in stages.enumerated() {
            try ParameterCheck.positive(s.duration, "stages[\(i)].duration")
            try ParameterCheck.nonNegative(s.rate, "stages[\(i)].rate")
            list.append((s.duration.totalNanoseconds, s.rate * scale, s.rate * scale))
        }
        arrivals = PiecewiseLinearArrivals(stages: list, end: end)
    }

    public mutating func nextArrival(after t: Int64) -> Int64? { arrivals.nextArrival(after: t) }
    public func expectedRate(at t: Int64) -> Double { arrivals.rate(at: t) }
    public func expectedCount(upTo t: Int64) -> Double { arrivals.count(at: t) }
}

/// Alternating phases, `onRate` for `onDuration` then `offRate` for `offDuration`, Poisson within each phase.
public struct OnOffBursts: RateModel {
    /// Events per second in each phase, `scale` applied.
    public let onRate: Double
    public let offRate: Double
    public let end: Int64
    private let onNanos: Int64
    private let cycleNanos: Int64
    private var draw: ArrivalDraw

    public init(onRate: Double, offRate: Double, onDuration: Duration, offDuration: Duration, seed: UInt64,
                scale: Double = 1, end: Int64 = .max) throws(GeneratorParameterError) {
        try ParameterCheck.nonNegative(onRate, "onRate")
        try ParameterCheck.nonNegative(offRate, "offRate")
        try ParameterCheck.positive(scale, "scale")
        guard onRate > 0 || offRate > 0 else { throw .init(parameter: "onRate", message: "onRate and offRate cannot both be 0") }
        try ParameterCheck.positive(onDuration, "onDuration")
        try ParameterCheck.positive(offDuration, "offDuration")
        self.onRate = onRate * scale
        self.offRate = offRate * scale
        self.end = end
        onNanos = onDuration.totalNanoseconds
        cycleNanos = onNanos + offDuration.totalNanoseconds
        draw = ArrivalDraw(seed: seed)
    }

    /// The rate in force at `t` and when that phase ends.
    private func phase(at t: Int64) -> (rate: Double, ends: Int64) {
        let cycleStart = t - ((t % cycleNanos) + cycleNanos) % cycleNanos
        return t - cycleStart < onNanos ? (onRate, cycleStart + onNanos) : (offRate, cycleStart + cycleNanos)
    }

    public mutating func nextArrival(after t: Int64) -> Int64? {
        var s = max(t, 0)
        // Memorylessness lets a gap that overruns its phase restart at the boundary with the next phase's rate.
        while s <= end {
            let (rate, ends) = phase(at: s)
            if rate > 0 {
                let at = s &+ max(1, Int64((draw.exponential(rate: rate) * nanosPerSecond).rounded()))
                if at < ends { return at > end ? nil : at }
            }
            s = ends
        }
        return nil
    }

    public func expectedRate(at t: Int64) -> Double { t > end ? 0 : phase(at: max(t, 0)).rate }
}

/// A self-exciting (Hawkes) process with exponential kernel, λ(t) = μ + Σ α·e^(−β(t − tᵢ)), simulated by Ogata
/// thinning: each arrival raises the rate by α, which decays at β, so arrivals cluster like real market activity.
public struct HawkesRate: RateModel {
    /// μ (events/s, `scale` applied), α (jump in rate per arrival, 1/s) and β (decay rate, 1/s).
    public let baseline: Double
    public let excitation: Double
    public let decay: Double
    public let end: Int64
    /// Mean number of arrivals each arrival triggers (α/β); below 1 or the process explodes.
    public var branchingRatio: Double { excitation / decay }
    private var draw: ArrivalDraw
    /// Excitation Σ α·e^(−β(s − tᵢ)) as of `excitationAt` (seconds since the run start).
    private var excitationNow = 0.0
    private var excitationAt = 0.0

    public init(baseline mu: Double, excitation alpha: Double, decay beta: Double, seed: UInt64, scale: Double = 1,
                end: Int64 = .max) throws(GeneratorParameterError) {
        try ParameterCheck.positive(mu, "baseline")
        try ParameterCheck.nonNegative(alpha, "excitation")
        try ParameterCheck.positive(beta, "decay")
        try ParameterCheck.positive(scale, "scale")
        guard alpha / beta < 1 else {
            throw .init(parameter: "excitation",
                        message: "branching ratio excitation/decay = \(alpha)/\(beta) = \(alpha / beta) must be < 1: each arrival would trigger on average at least one more and the rate would grow without bound")
        }
        baseline = mu * scale
        excitation = alpha
        decay = beta
        self.end = end
        draw = ArrivalDraw(seed: seed)
    }

    public mutating func nextArrival(after t: Int64) -> Int64? {
        var s = max(Double(max(t, 0)) / nanosPerSecond, excitationAt)
        var ex = excitationNow * exp(-decay * (s - excitationAt))
        let endSeconds = Double(end) / nanosPerSecond
        // Ogata: between arrivals the intensity only decays, so its current value bounds it until the next candidate.
        while true {
            let bound = baseline + ex
            let w = draw.exponential(rate: bound)
            s += w
            ex *= exp(-decay * w)
            if s > endSeconds { return nil }
            if draw.uniform() * bound <= baseline + ex {
                excitationNow = ex + excitation
                excitationAt = s
                let at = Int64((s * nanosPerSecond).rounded())
                return max(at, t &+ 1)
            }
        }
    }

    /// The stationary mean rate μ/(1 − α/β).
    public func expectedRate(at t: Int64) -> Double { t > end ? 0 : baseline / (1 - branchingRatio) }
}
