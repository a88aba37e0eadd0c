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
        try ParameterCheck.scale(scale, "scale")
        try ParameterCheck.rate(rate, scale: scale, "rate")
        self.rate = rate * scale
        self.end = end
        periodNanos = nanosPerSecond / self.rate
    }

    @inline(__always) private func time(_ k: Int64) -> Int64 { arrivalNanos(Double(k) * periodNanos) }

    public mutating func nextArrival(after t: Int64) -> Int64? {
        let inclusive = !started
        started = true
        // Arrival k is at round(k·period): start from the estimate and step to the first one past t.
        var k = max(index, t <= 0 ? 0 : arrivalNanos(Double(t) / periodNanos))
        while inclusive ? time(k) < t : time(k) <= t { k += 1 }
        index = k + 1
        let at = time(k)
        return at > end ? nil : at
    }

    public func expectedRate(at t: Int64) -> Double { t > end ? 0 : rate }
}
