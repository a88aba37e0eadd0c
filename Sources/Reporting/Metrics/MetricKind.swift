/// What a metric measures, which decides the units a gate may use and how a report shows it.
public enum MetricKind: String, Sendable {
    case duration, rate, count, ratio, bytes
    /// CPU microseconds per published event (`cpu_us_per_event.<process>`).
    case cpuPerEvent

    /// The unit reports show this kind in (durations in ms; ratios as fractions).
    public var reportUnit: String {
        switch self {
        case .duration: "ms"
        case .bytes: "B"
        case .cpuPerEvent: "µs"
        case .rate, .count, .ratio: ""
        }
    }

    /// Canonical value (seconds, fractions) × this = the value in `reportUnit`.
    public var reportScale: Double { self == .duration ? 1000 : 1 }
}
