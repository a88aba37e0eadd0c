import Foundation

/// Knobs of `rsbench compare` (and of `rsbench run --baseline`, which applies the same rules).
public struct CompareOptions: Sendable, Equatable {
    /// Significance level of the Mann–Whitney test.
    public var alpha: Double = 0.05
    /// A significant change smaller than this (percent) is reported as unchanged: statistically real but too small to matter.
    public var minimumEffectPercent: Double = 5
    /// Tolerance band (±percent) when the run counts cannot reach α (see `ComparisonRule`).
    public var defaultTolerancePercent: Double = 10
    /// Per-metric-prefix tolerance, e.g. `["e2e_lag": 15, "cpu": 20]`; prefixes match whole dot-separated
    /// segments (`e2e_lag` covers `e2e_lag.p99`, not `e2e_lag_uncorrected.p99`); the longest match wins.
    /// Also raises the minimum effect for those metrics, so a noisy metric is not flagged by the test alone.
    public var tolerances: [String: Double] = [:]
    /// Compare only metrics under these prefixes (same matching as `tolerances`); empty compares every metric.
    /// A CI gate names the metrics stable enough to gate on, so a noisy one cannot fail the build.
    public var onlyMetrics: [String] = []

    public init(alpha: Double = 0.05, minimumEffectPercent: Double = 5, defaultTolerancePercent: Double = 10, tolerances: [String: Double] = [:],
                onlyMetrics: [String] = []) {
        self.alpha = alpha
        self.minimumEffectPercent = minimumEffectPercent
        self.defaultTolerancePercent = defaultTolerancePercent
        self.tolerances = tolerances
        self.onlyMetrics = onlyMetrics
    }

    /// The tolerance (percent) for a metric: longest matching prefix, else the default.
    public func tolerance(for metric: String) -> Double {
        tolerances.filter { Self.matches(metric, prefix: $0.key) }.max { $0.key.count < $1.key.count }?.value ?? defaultTolerancePercent
    }

    /// Whether the caller configured a tolerance for this metric explicitly.
    func hasExplicitTolerance(for metric: String) -> Bool {
        tolerances.keys.contains { Self.matches(metric, prefix: $0) }
    }

    /// Whether `onlyMetrics` lets this metric in.
    func includes(_ metric: String) -> Bool {
        onlyMetrics.isEmpty || onlyMetrics.contains { Self.matches(metric, prefix: $0) }
    }

    static func matches(_ metric: String, prefix: String) -> Bool {
        metric == prefix || metric.hasPrefix(prefix.hasSuffix(".") ? prefix : prefix + ".")
    }

    /// Reads `--tolerance prefix=percent` (repeatable), `--default-tolerance`, `--only a,b` and `--alpha` as typed into
    /// a command line, so `compare` and `run --baseline` accept exactly the same text.
    public static func parse(tolerances: [String], defaultTolerance: Double, only: [String], alpha: Double) throws(CompareOptionsError) -> CompareOptions {
        guard defaultTolerance.isFinite, defaultTolerance >= 0 else { throw .badDefaultTolerance(defaultTolerance) }
        guard alpha.isFinite, alpha > 0, alpha < 1 else { throw .badAlpha(alpha) }
        var o = CompareOptions(alpha: alpha, defaultTolerancePercent: defaultTolerance)
        for t in tolerances {
            let kv = t.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
            guard kv.count == 2, !kv[0].isEmpty, let v = Double(kv[1]), v.isFinite, v >= 0 else { throw .badTolerance(t) }
            o.tolerances[kv[0]] = v
        }
        o.onlyMetrics = only.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
        return o
    }
}

/// A compare flag that does not parse; each message names the flag and what it expects.
public enum CompareOptionsError: Error, Equatable, CustomStringConvertible {
    case badTolerance(String)
    case badDefaultTolerance(Double)
    case badAlpha(Double)

    public var description: String {
        switch self {
        case .badTolerance(let t): "--tolerance \(t): expected prefix=percent with a percent ≥ 0, like e2e_lag=15"
        case .badDefaultTolerance(let v): "--default-tolerance \(v): expected a percent ≥ 0, like 10"
        case .badAlpha(let v): "--alpha \(v): expected a significance level between 0 and 1, like 0.05"
        }
    }
}
