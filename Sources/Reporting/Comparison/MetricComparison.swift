/// The comparison of one metric between baseline and candidate runs.
public struct MetricComparison: Sendable, Equatable, Codable {
    /// improved / regressed are real changes in the good / bad direction; unchanged is within
    /// tolerance or below the minimum effect; noise is a visible change the runs cannot tell from variance.
    public enum Verdict: String, Sendable, Codable {
        case improved, regressed, unchanged, noise
    }

    /// How the verdict was reached.
    public enum Method: String, Sendable, Codable {
        case mannWhitney = "mann-whitney"
        case tolerance
    }

    public var metric: String
    public var unit: String
    public var direction: MetricDirection
    public var baseline: [Double]
    public var candidate: [Double]
    public var baselineMedian: Double
    public var candidateMedian: Double
    /// (candidate median − baseline median) ÷ baseline median × 100; positive means the value went up.
    public var changePercent: Double
    public var method: Method
    /// Two-sided p-value when the statistical test was used.
    public var pValue: Double?
    /// The threshold used: minimum effect for the test, band half-width for the tolerance method.
    public var thresholdPercent: Double
    public var verdict: Verdict
}
