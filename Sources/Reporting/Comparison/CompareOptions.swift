/// Knobs of `rsbench compare`.
public struct CompareOptions: Sendable, Equatable {
    /// Significance level of the Mann–Whitney test.
    public var alpha: Double = 0.05
    /// A significant change smaller than this (percent) is reported as unchanged: statistically real but too small to matter.
    public var minimumEffectPercent: Double = 5
    /// Tolerance band (±percent) when either side has fewer than `minimumRunsForTest` runs.
    public var defaultTolerancePercent: Double = 10
    /// Per-metric-prefix tolerance, e.g. `["e2e_lag": 15, "cpu": 20]`; prefixes match whole dot-separated
    /// segments (`e2e_lag` covers `e2e_lag.p99`, not `e2e_lag_uncorrected.p99`); the longest match wins.
    /// Also raises the minimum effect for those metrics, so a noisy metric is not flagged by the test alone.
    public var tolerances: [String: Double] = [:]
    /// Runs needed on each side before the statistical test is used.
    public var minimumRunsForTest: Int = 3

    public init(alpha: Double = 0.05, minimumEffectPercent: Double = 5, defaultTolerancePercent: Double = 10, tolerances: [String: Double] = [:], minimumRunsForTest: Int = 3) {
        self.alpha = alpha
        self.minimumEffectPercent = minimumEffectPercent
        self.defaultTolerancePercent = defaultTolerancePercent
        self.tolerances = tolerances
        self.minimumRunsForTest = minimumRunsForTest
    }

    /// The tolerance (percent) for a metric: longest matching prefix, else the default.
    public func tolerance(for metric: String) -> Double {
        tolerances.filter { Self.matches(metric, prefix: $0.key) }.max { $0.key.count < $1.key.count }?.value ?? defaultTolerancePercent
    }

    /// Whether the caller configured a tolerance for this metric explicitly.
    func hasExplicitTolerance(for metric: String) -> Bool {
        tolerances.keys.contains { Self.matches(metric, prefix: $0) }
    }

    static func matches(_ metric: String, prefix: String) -> Bool {
        metric == prefix || metric.hasPrefix(prefix.hasSuffix(".") ? prefix : prefix + ".")
    }
}
