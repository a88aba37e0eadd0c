import Foundation
import Reporting
import RiskSignalCore

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
        case .cpuPerEvent:
            // µs is the metric's own unit, so a suffix may say so but no other unit is accepted.
            var number = valueText
            for unit in ["µs", "us"] where number.hasSuffix(unit) { number = String(number.dropLast(unit.count)).trimmingCharacters(in: .whitespaces) }
            guard let v = YAMLReader.parseNumber(number), v >= 0 else {
                return .failure("\(metric) is CPU microseconds per event: expected a number like 10 or 10us, got \"\(valueText)\"")
            }
            return .success(Gate(expression: t, metric: metric, comparison: op, threshold: v, kind: kind, line: line))
        case .count, .rate, .bytes:
            guard let v = YAMLReader.parseNumber(valueText) else {
                return .failure("\(metric) is a number: expected a value like 20000 or 20k, got \"\(valueText)\"")
            }
            return .success(Gate(expression: t, metric: metric, comparison: op, threshold: v, kind: kind, line: line))
        }
    }
}
