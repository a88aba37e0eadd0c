/// A Poisson process: exponential gaps with mean 1/(rate × scale).
public struct PoissonRate: RateModel {
    /// Events per second, `scale` applied.
    public let rate: Double
    public let end: Int64
    private var draw: ArrivalDraw

    public init(rate: Double, seed: UInt64, scale: Double = 1, end: Int64 = .max) throws(GeneratorParameterError) {
        try ParameterCheck.scale(scale, "scale")
        try ParameterCheck.rate(rate, scale: scale, "rate")
        self.rate = rate * scale
        self.end = end
        draw = ArrivalDraw(seed: seed)
    }

    public mutating func nextArrival(after t: Int64) -> Int64? {
        let gap = draw.exponential(rate: rate) * nanosPerSecond
        let at = t &+ max(1, arrivalNanos(gap))
        return at > end || at < t ? nil : at
    }

    public func expectedRate(at t: Int64) -> Double { t > end ? 0 : rate }
}
