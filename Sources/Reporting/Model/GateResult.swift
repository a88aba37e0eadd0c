/// One gate as evaluated after the run.
public struct GateResult: Codable, Sendable, Equatable {
    /// Whether the gate held, failed, or could not be evaluated because the metric was not measured.
    public enum Outcome: String, Codable, Sendable {
        case pass, fail, missing
    }

    /// The gate as written in the scenario, e.g. `e2e_lag.p99 < 500ms`.
    public var expression: String
    /// Metric name, e.g. `e2e_lag.p99`.
    public var metric: String
    /// Measured value in `unit`; nil when the run did not measure the metric.
    public var measured: Double?
    /// Unit of `measured` and `threshold` (`ms`, `rows/s`, `%`, `MB`, ``).
    public var unit: String
    /// Comparison operator as written (`<`, `<=`, `>`, `>=`, `==`, `!=`).
    public var comparison: String
    /// Threshold in `unit`.
    public var threshold: Double
    public var verdict: Outcome
    /// Why a gate could not be evaluated, when it could not.
    public var note: String?

    public init(expression: String, metric: String, measured: Double?, unit: String, comparison: String, threshold: Double, verdict: Outcome,
                note: String? = nil) {
        self.expression = expression
        self.metric = metric
        self.measured = measured
        self.unit = unit
        self.comparison = comparison
        self.threshold = threshold
        self.verdict = verdict
        self.note = note
    }
}
