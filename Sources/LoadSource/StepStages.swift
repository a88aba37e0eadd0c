import RiskSignalCore

/// Piecewise-constant rates: each stage holds its rate for its duration, arrivals evenly spaced within it (where the
/// expected count reaches k − ½); the model ends after the last stage.
public struct StepStages: RateModel {
    private var arrivals: PiecewiseLinearArrivals

    public init(stages: [(duration: Duration, rate: Double)], scale: Double = 1, end: Int64 = .max) throws(GeneratorParameterError) {
        try ParameterCheck.scale(scale, "scale")
        _ = try ParameterCheck.total(stages.map { $0.duration }, "stages")
        guard !stages.isEmpty else { throw .init(parameter: "stages", message: "must have at least one stage") }
        var list: [(length: Int64, from: Double, to: Double)] = []
        for (i, s) in stages.enumerated() {
            try ParameterCheck.positive(s.duration, "stages[\(i)].duration")
            try ParameterCheck.rate(s.rate, scale: scale, "stages[\(i)].rate", allowZero: true)
            list.append((s.duration.totalNanoseconds, s.rate * scale, s.rate * scale))
        }
        arrivals = PiecewiseLinearArrivals(stages: list, end: end)
    }

    public mutating func nextArrival(after t: Int64) -> Int64? { arrivals.nextArrival(after: t) }
    public func expectedRate(at t: Int64) -> Double { arrivals.rate(at: t) }
    public func expectedCount(upTo t: Int64) -> Double { arrivals.count(at: t) }
}
