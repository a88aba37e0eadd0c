#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

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
        try ParameterCheck.scale(scale, "scale")
        try ParameterCheck.rate(mu, scale: scale, "baseline")
        try ParameterCheck.range(alpha, 0...1e8, "excitation")
        try ParameterCheck.range(beta, 1e-6...1e8, "decay")
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
                let at = arrivalNanos(s * nanosPerSecond)
                return max(at, t &+ 1)
            }
        }
    }

    /// The stationary mean rate μ/(1 − α/β).
    public func expectedRate(at t: Int64) -> Double { t > end ? 0 : baseline / (1 - branchingRatio) }
}
