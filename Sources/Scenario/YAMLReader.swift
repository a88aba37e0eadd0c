import LoadSource
import RiskSignalCore
import Foundation
import Yams

/// Reads a YAML node tree into typed values, collecting every problem with its file, line and key.
final class YAMLReader {
    let file: String
    var issues: [ScenarioIssue] = []

    init(file: String) { self.file = file }

    func issue(_ node: Node?, _ key: String, _ message: String) {
        issues.append(ScenarioIssue(file: file, line: node?.mark?.line ?? 0, column: node?.mark?.column ?? 0, key: key, message: message))
    }

    /// The mapping's entries; unknown keys are reported against `allowed`.
    func mapping(_ node: Node, _ path: String, allowed: [String]) -> [String: Node]? {
        guard case .mapping(let m) = node else {
            issue(node, path, "expected a mapping of keys (\(allowed.joined(separator: ", "))), got \(describe(node))")
            return nil
        }
        var out: [String: Node] = [:]
        for (k, v) in m {
            guard let key = k.string else { issue(k, path, "keys must be plain names"); continue }
            if !allowed.contains(key) {
                let close = allowed.min { editDistance($0, key) < editDistance($1, key) }
                let hint = close.map { editDistance($0, key) <= 3 ? " (did you mean \($0)?)" : "" } ?? ""
                issue(k, join(path, key), "unknown key\(hint); expected one of \(allowed.joined(separator: ", "))")
                continue
            }
            out[key] = v
        }
        return out
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): "\"\(s.string.prefix(40))\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    func string(_ node: Node?, _ path: String) -> String? {
        guard let node else { return nil }
        guard case .scalar(let s) = node else { issue(node, path, "expected a string, got \(describe(node))"); return nil }
        return s.string
    }

    func number(_ node: Node?, _ path: String, positive: Bool = false, allowZero: Bool = true, what: String = "a number") -> Double? {
        guard let node else { return nil }
        guard case .scalar(let s) = node, let v = Self.parseNumber(s.string) else {
            issue(node, path, "expected \(what), got \(describe(node))")
            return nil
        }
        if positive && (v < 0 || (!allowZero && v == 0)) {
            issue(node, path, "expected \(what) greater than \(allowZero ? "or equal to " : "")zero, got \(s.string)")
            return nil
        }
        return v
    }

    /// Events per second: a number that the pacer can schedule (`ParameterCheck.rates`), or 0 when `allowZero`.
    func rate(_ node: Node?, _ path: String, allowZero: Bool = false) -> Double? {
        let what = "a \(allowZero ? "non-negative" : "positive") number of events per second"
        guard let v = number(node, path, positive: true, allowZero: allowZero, what: what) else { return nil }
        if v == 0 { return v }
        guard ParameterCheck.rates.contains(v) else {
            issue(node, path, "expected \(what) in 1e-06...1e+08 (one event per ~11.6 days to 100 million a second), got \(v)")
            return nil
        }
        return v
    }

    /// A number in `range` (e.g. a multiplier), with the range in the message.
    func number(_ node: Node?, _ path: String, in range: ClosedRange<Double>, what: String) -> Double? {
        guard let v = number(node, path, what: what) else { return nil }
        guard range.contains(v) else { issue(node, path, "expected \(what) in \(range.lowerBound)...\(range.upperBound), got \(v)"); return nil }
        return v
    }

    /// A share of a whole in (0, 1]: a fraction (`0.5`) or a percentage (`50%`).
    func share(_ node: Node?, _ path: String, of whole: String) -> Double? {
        guard let node else { return nil }
        let expected = "a share of \(whole) in (0, 1], as a fraction like 0.5 or a percentage like 50%"
        guard case .scalar(let s) = node else { issue(node, path, "expected \(expected), got \(describe(node))"); return nil }
        let text = s.string.trimmingCharacters(in: .whitespaces)
        let percent = text.hasSuffix("%")
        guard let n = Double((percent ? String(text.dropLast()) : text).trimmingCharacters(in: .whitespaces)), n.isFinite else {
            issue(node, path, "expected \(expected), got \(describe(node))")
            return nil
        }
        let v = percent ? n / 100 : n
        guard v > 0, v <= 1 else { issue(node, path, "expected \(expected), got \(text)"); return nil }
        return v
    }

    func integer(_ node: Node?, _ path: String, min: Int = Int.min, max: Int = Int.max) -> Int? {
        guard let node else { return nil }
        guard case .scalar(let s) = node, let v = Int(s.string.replacingOccurrences(of: "_", with: "")) else {
            issue(node, path, "expected a whole number, got \(describe(node))")
            return nil
        }
        if v < min { issue(node, path, "expected a whole number of at least \(min), got \(v)"); return nil }
        if v > max { issue(node, path, "expected a whole number of at most \(max), got \(v)"); return nil }
        return v
    }

    func bool(_ node: Node?, _ path: String) -> Bool? {
        guard let node else { return nil }
        guard let b = node.bool else { issue(node, path, "expected true or false, got \(describe(node))"); return nil }
        return b
    }

    /// A duration with a unit (`30s`, `500ms`, `2m`, `1h`); a bare number is an error because its unit would be a guess.
    func duration(_ node: Node?, _ path: String, allowZero: Bool = true) -> Duration? {
        guard let node else { return nil }
        guard case .scalar(let s) = node else { issue(node, path, "expected a duration like 30s, got \(describe(node))"); return nil }
        switch Self.parseDuration(s.string) {
        case .success(let d):
            if !allowZero && d == .zero { issue(node, path, "must be longer than zero"); return nil }
            return d
        case .failure(let m):
            issue(node, path, m.text)
            return nil
        }
    }

    func sequence(_ node: Node?, _ path: String) -> [Node]? {
        guard let node else { return nil }
        guard case .sequence(let s) = node else { issue(node, path, "expected a list, got \(describe(node))"); return nil }
        return Array(s)
    }

    static func parseNumber(_ text: String) -> Double? {
        var t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
        var factor = 1.0
        if t.hasSuffix("k") || t.hasSuffix("K") { factor = 1e3; t.removeLast() }
        else if t.hasSuffix("M") { factor = 1e6; t.removeLast() }
        guard let v = Double(t), v.isFinite else { return nil }
        return v * factor
    }

    /// The longest duration a scenario may give anything (`LoadSource.ParameterCheck.maxDuration`).
    static let maxDuration = ParameterCheck.maxDuration

    static func parseDuration(_ text: String) -> Result<Duration, Problem> {
        let t = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (u, f) in units where t.hasSuffix(u) {
            let num = String(t.dropLast(u.count))
            // "ms" also ends in "s": only accept when the rest is a number.
            guard let v = Double(num), v.isFinite else { continue }
            guard v >= 0 else { return .failure("expected a non-negative duration, got \(text)") }
            // Checked: `1e12s` is 1e21 ns, past Int64; anything longer than a workload can run is refused by name.
            guard let ns = try? Checked.nanoseconds(seconds: v * f, field: "duration", max: maxDuration) else {
                return .failure("expected a duration of at most 366 days, got \(text)")
            }
            return .success(.nanoseconds(ns))
        }
        if Double(t) != nil {
            return .failure("durations need a unit, like \(t)s or \(t)ms")
        }
        return .failure("expected a duration like 30s, 500ms, 2m or 1h, got \"\(text.prefix(40))\"")
    }
}


/// Duration text as scenario files write it (`30s`, `500ms`, `2m`), for command-line overrides too.
public enum ScenarioDurations {
    public static func parse(_ text: String) -> Result<Duration, Problem> { YAMLReader.parseDuration(text) }
}
