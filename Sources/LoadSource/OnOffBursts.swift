import RiskSignalCore

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
        try ParameterCheck.scale(scale, "scale")
        try ParameterCheck.rate(onRate, scale: scale, "onRate", allowZero: true)
        try ParameterCheck.rate(offRate, scale: scale, "offRate", allowZero: true)
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
                let at = s &+ max(1, arrivalNanos(draw.exponential(rate: rate) * nanosPerSecond))
                if at < ends { return at > end ? nil : at }
            }
            s = ends
        }
        return nil
    }

    public func expectedRate(at t: Int64) -> Double { t > end ? 0 : phase(at: max(t, 0)).rate }
}
