import RiskSignalCore
import Foundation

/// A threshold on a measured metric, like `e2e_lag.p99 < 500ms`, evaluated after a run.
public struct Gate: Sendable, Equatable, CustomStringConvertible {
    public enum Comparison: String, Sendable, CaseIterable {
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", equal = "==", notEqual = "!="

        public func holds(_ value: Double, _ threshold: Double) -> Bool {
            switch self {
            case .less: value < threshold
            case .lessOrEqual: value <= threshold
            case .greater: value > threshold
            case .greaterOrEqual: value >= threshold
            case .equal: value == threshold
            case .notEqual: value != threshold
            }
        }
    }

    /// The text as written.
    public var expression: String
    public var metric: String
    public var comparison: Comparison
    /// In the metric's canonical unit: seconds for durations, a fraction for percentages.
    public var threshold: Double
    public var kind: MetricKind
    public var line: Int

    public var description: String { expression }

    public func holds(_ value: Double) -> Bool { comparison.holds(value, threshold) }

    /// Parses `metric op value[unit]`; the error says what part is wrong.
    public static func parse(_ text: String, line: Int = 0) -> Result<Gate, Problem> {
        let t = text.trimmingCharacters(in: .whitespaces)
        let ops = Comparison.allCases.sorted { $0.rawValue.count > $1.rawValue.count }
        guard let (op, range) = ops.lazy.compactMap({ op in t.range(of: " \(op.rawValue) ").map { (op, $0) } ?? t.range(of: op.rawValue).map { (op, $0) } }).first else {
            return .failure("expected `metric <op> value` with <op> one of < <= > >= == !=, like e2e_lag.p99 < 500ms")
        }
        let metric = t[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        let valueText = t[range.upperBound...].trimmingCharacters(in: .whitespaces)
        guard let kind = MetricCatalog.kind(of: metric) else {
            return .failure("unknown metric \"\(metric)\"; known: \(MetricCatalog.summary)")
        }
        switch kind {
        case .duration:
            switch YAMLReader.parseDuration(valueText) {
            case .success(let d):
                return .success(Gate(expression: t, metric: metric, comparison: op, threshold: d.seconds, kind: kind, line: line))
            case .failure(let m):
                return .failure("\(metric) is a duration: \(m.text)")
            }
        case .ratio:
            if valueText.hasSuffix("%"), let v = Double(valueText.dropLast().trimmingCharacters(in: .whitespaces)) {
                return .success(Gate(expression: t, metric: metric, comparison: op, threshold: v / 100, kind: kind, line: line))
            }
            guard let v = Double(valueText) else { return .failure("\(metric) is a ratio: expected a number or a percentage like 99%, got \"\(valueText)\"") }
            return .success(Gate(expression: t, metric: metric, comparison: op, threshold: v, kind: kind, line: line))
        case .count, .rate, .bytes:
            guard let v = YAMLReader.parseNumber(valueText) else {
                return .failure("\(metric) is a number: expected a value like 20000 or 20k, got \"\(valueText)\"")
            }
            return .success(Gate(expression: t, metric: metric, comparison: op, threshold: v, kind: kind, line: line))
        }
    }
}

/// What a metric measures, which decides the units a gate may use.
public enum MetricKind: String, Sendable {
    case duration, rate, count, ratio, bytes
}

/// The metric names gates may use (DESIGN §4); per-table and per-workload forms take a suffix.
public enum MetricCatalog {
    public static let latencyFamilies = ["schedule_lag", "publish_latency", "publish_latency_uncorrected", "e2e_lag", "e2e_lag_uncorrected", "alert_latency"]
    public static let statistics = ["p50", "p90", "p99", "p999", "max", "mean"]
    public static let counts = ["lost", "dlq", "duplicates", "published", "failed_publishes", "sequence_gaps", "alerts", "rows", "parts", "cross_check_failures"]

    public static func kind(of metric: String) -> MetricKind? {
        let parts = metric.split(separator: ".", maxSplits: 1).map(String.init)
        guard let head = parts.first else { return nil }
        if latencyFamilies.contains(head) {
            return parts.count == 2 && statistics.contains(parts[1]) ? .duration : nil
        }
        switch head {
        case "insert_rows_per_s", "achieved_rate", "offered_rate": return .rate
        case "insert_bytes_per_s": return .bytes
        case "achieved_ratio", "cpu", "compression_ratio": return .ratio
        case "rss_mb", "disk_mb": return .count
        case "consumer_pending": return parts.count == 2 ? .count : nil
        default: return counts.contains(head) && parts.count == 1 ? .count : (counts.contains(head) ? .count : nil)
        }
    }

    public static var summary: String {
        latencyFamilies.map { "\($0).{\(statistics.joined(separator: ","))}" }.joined(separator: ", ")
            + ", insert_rows_per_s[.<table>], insert_bytes_per_s[.<table>], achieved_rate.<workload>, achieved_ratio, consumer_pending.max, cpu.<process>, rss_mb.<process>, "
            + "compression_ratio[.<table>], disk_mb[.<table>], " + counts.joined(separator: ", ")
    }
}
