/// When a workload's events are due, in ns relative to the run start: the pacing half of a load source.
public protocol RateModel: Sendable {
    /// The next arrival strictly after `t` (or at t for the very first call with t = 0 allowed), nil when the model has ended (beyond `end`).
    mutating func nextArrival(after t: Int64) -> Int64?
    /// The model's expected rate at `t` in events/s (for "offered rate" progress lines).
    func expectedRate(at t: Int64) -> Double
}

/// Nanoseconds per second, for converting between rates (events/s) and arrival times (ns).
let nanosPerSecond = 1e9

/// An arrival time (ns) computed in Double, rounded; past Int64 it saturates at `Int64.max`, which every model
/// treats as beyond its end. Rates are checked on construction (`ParameterCheck.rate`), so this only guards the
/// far tail of a random draw.
@inline(__always) func arrivalNanos(_ x: Double) -> Int64 {
    let r = x.rounded()
    if r.isNaN || r >= 9.2e18 { return .max }
    if r < -9.2e18 { return .min }
    return Int64(r)
}
