/// What a pacer can schedule in Int64 nanoseconds, shared by rate models, scenario files and command-line flags.
public enum PacingLimits {
    /// One event per ~11.6 days to 100 million per second: below, gaps overflow; above, arrivals collapse onto one instant.
    public static let rates: ClosedRange<Double> = 1e-6...1e8
    /// `rates` as messages print it.
    public static let ratesText = "1e-06...1e+08 events/s"
    /// Multipliers such as `rate_scale` and `--speed`.
    public static let scales: ClosedRange<Double> = 1e-6...1e6
    /// The longest duration a workload, stage or phase may have (a year and a day).
    public static let maxDuration: Duration = .seconds(366 * 86_400)
    /// The most passes a replay may loop over its capture (each pass is scheduled up front).
    public static let maxLoops = 1_000_000
    /// The most emissions one replay schedule may hold (capture messages × loops), about 800 MB of offsets.
    public static let maxEmissions = 100_000_000
}
