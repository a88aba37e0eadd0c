import RiskSignalCore

/// k6-style ramping: the rate moves linearly from the previous target (first `startRate`) to each stage's target
/// over the stage; arrivals are deterministic (where the expected count reaches k − ½); the model ends after the
/// last stage.
public struct RampStages: RateModel {
    private var arrivals: PiecewiseLinearArrivals

    public init(stages: [(duration: Duration, target: Double)], startRate: Double = 0, scale: Double = 1,
                end: Int64 = .max) throws(GeneratorParameterError) {
        try ParameterCheck.scale(scale, "scale")
        try ParameterCheck.rate(startRate, scale: scale, "startRate", allowZero: true)
        _ = try ParameterCheck.total(stages.map { $0.duration }, "stages")
        guard !stages.isEmpty else { throw .init(parameter: "stages", message: "must have at least one stage") }
        var from = startRate * scale
        var list: [(length: Int64, from: Double, to: Double)] = []
        for (i, s) in stages.enumerated() {
            try ParameterCheck.positive(s.duration, "stages[\(i)].duration")
            try ParameterCheck.rate(s.target, scale: scale, "stages[\(i)].target", allowZero: true)
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
