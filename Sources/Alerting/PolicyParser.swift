import RiskSignalCore
import Foundation
import Yams

/// A value written for a policy key, after its type is checked and before its range is.
enum PolicyValue: Equatable {
    case bool(Bool)
    case severity(AlertSeverity)
    case duration(Duration)
    case number(Double)
    case integer(Int)
}

/// Every key a rule's settings may have: its YAML name, type, range and field.
enum PolicyKey: String, CaseIterable {
    case enabled, severity, window, cooldown
    case dropFraction = "drop_fraction"
    case minSamples = "min_samples"
    case factor
    case maxOrders = "max_orders"
    case maxRatio = "max_ratio"
    case minOrders = "min_orders"
    case baselineMinutes = "baseline_minutes"
    case minBaselineMinutes = "min_baseline_minutes"
    case z
    case minStddev = "min_stddev"

    /// Keys a symbol or user override may set for all of its rules at once. Rule-specific keys
    /// are not allowed there: `window` would silently mean different things to different rules.
    static let allRules: [PolicyKey] = [.enabled, .severity, .cooldown]

    /// The keys `rule` accepts, in the order the README documents them.
    static func allowed(for rule: AlertRule) -> [PolicyKey] {
        switch rule {
        case .liquidityDrop: [.enabled, .severity, .window, .dropFraction, .minSamples, .cooldown]
        case .spreadBlowout: [.enabled, .severity, .window, .factor, .minSamples, .cooldown]
        case .orderVelocity: [.enabled, .severity, .window, .maxOrders, .cooldown]
        case .aggressiveCancels: [.enabled, .severity, .window, .maxRatio, .minOrders, .cooldown]
        // social_buzz has no window key: it counts mentions per minute against per-minute history.
        case .socialBuzz: [.enabled, .severity, .baselineMinutes, .minBaselineMinutes, .z, .minStddev, .cooldown]
        }
    }

    static let maxDuration: Duration = .seconds(86_400)

    /// Reads the node as this key's type; the error text is the message for the issue.
    func parse(_ node: Node) -> Result<PolicyValue, ParseProblem> {
        guard case .scalar(let s) = node else { return .failure(.init("expected \(expectation), got \(describe(node))")) }
        let text = s.string.trimmingCharacters(in: .whitespaces)
        switch self {
        case .enabled:
            switch text.lowercased() {
            case "true": return .success(.bool(true))
            case "false": return .success(.bool(false))
            default: return .failure(.init("expected true or false, got \(describe(node))"))
            }
        case .severity:
            guard let v = AlertSeverity(rawValue: text.lowercased()) else {
                return .failure(.init("expected one of info, warning, critical, got \(describe(node))"))
            }
            return .success(.severity(v))
        case .window, .cooldown:
            return Self.parseDuration(text).map { .duration($0) }
        case .dropFraction, .factor, .maxRatio, .z, .minStddev:
            guard let v = Double(text.replacingOccurrences(of: "_", with: "")), v.isFinite else {
                return .failure(.init("expected \(expectation), got \(describe(node))"))
            }
            return .success(.number(v))
        case .minSamples, .maxOrders, .minOrders, .baselineMinutes, .minBaselineMinutes:
            guard let v = Int(text.replacingOccurrences(of: "_", with: "")) else {
                return .failure(.init("expected \(expectation), got \(describe(node))"))
            }
            return .success(.integer(v))
        }
    }

    /// What the key takes, for "expected …" messages.
    var expectation: String {
        switch self {
        case .enabled: "true or false"
        case .severity: "one of info, warning, critical"
        case .window: "a duration with a unit, like 10s"
        case .cooldown: "a duration with a unit, like 60s"
        case .dropFraction: "a number between 0 and 1"
        case .factor: "a number greater than 1"
        case .maxRatio, .z, .minStddev: "a number greater than 0"
        case .minSamples, .maxOrders, .minOrders: "a whole number of at least 1"
        case .baselineMinutes, .minBaselineMinutes: "a whole number of minutes between 1 and 1440"
        }
    }

    /// Why the value is out of range, or nil when it is fine.
    func rangeProblem(_ value: PolicyValue) -> String? {
        let ok: Bool
        let shown: String
        switch value {
        case .bool, .severity: return nil
        case .duration(let d):
            shown = formatDuration(d)
            switch self {
            case .window:
                guard d > .zero, d <= Self.maxDuration else {
                    return "expected a duration longer than 0 and at most 24h, got \(shown)"
                }
                return nil
            default:
                guard d >= .zero, d <= Self.maxDuration else { return "expected a duration between 0s and 24h, got \(shown)" }
                return nil
            }
        case .number(let v):
            shown = v.description
            switch self {
            case .dropFraction: ok = v > 0 && v < 1
            case .factor: ok = v > 1
            default: ok = v > 0
            }
        case .integer(let v):
            shown = String(v)
            switch self {
            case .baselineMinutes, .minBaselineMinutes: ok = v >= 1 && v <= 1440
            default: ok = v >= 1 && v <= 10_000_000
            }
        }
        return ok ? nil : "expected \(expectation), got \(shown)"
    }

    /// Constraints between keys, checked on the settings a key ends up with.
    static func crossFieldProblem(_ t: RuleThresholds, rule: AlertRule) -> String? {
        if rule == .socialBuzz && t.minBaselineMinutes > t.baselineMinutes {
            return "min_baseline_minutes (\(t.minBaselineMinutes)) must not exceed baseline_minutes (\(t.baselineMinutes)): that much history is never kept"
        }
        return nil
    }

    func value(in t: RuleThresholds) -> PolicyValue {
        switch self {
        case .enabled: .bool(t.enabled)
        case .severity: .severity(t.severity)
        case .window: .duration(t.window)
        case .cooldown: .duration(t.cooldown)
        case .dropFraction: .number(t.dropFraction)
        case .minSamples: .integer(t.minSamples)
        case .factor: .number(t.factor)
        case .maxOrders: .integer(t.maxOrders)
        case .maxRatio: .number(t.maxRatio)
        case .minOrders: .integer(t.minOrders)
        case .baselineMinutes: .integer(t.baselineMinutes)
        case .minBaselineMinutes: .integer(t.minBaselineMinutes)
        case .z: .number(t.z)
        case .minStddev: .number(t.minStddev)
        }
    }

    func set(_ value: PolicyValue, in o: inout ThresholdOverride) {
        switch (self, value) {
        case (.enabled, .bool(let v)): o.enabled = v
        case (.severity, .severity(let v)): o.severity = v
        case (.window, .duration(let v)): o.window = v
        case (.cooldown, .duration(let v)): o.cooldown = v
        case (.dropFraction, .number(let v)): o.dropFraction = v
        case (.minSamples, .integer(let v)): o.minSamples = v
        case (.factor, .number(let v)): o.factor = v
        case (.maxOrders, .integer(let v)): o.maxOrders = v
        case (.maxRatio, .number(let v)): o.maxRatio = v
        case (.minOrders, .integer(let v)): o.minOrders = v
        case (.baselineMinutes, .integer(let v)): o.baselineMinutes = v
        case (.minBaselineMinutes, .integer(let v)): o.minBaselineMinutes = v
        case (.z, .number(let v)): o.z = v
        case (.minStddev, .number(let v)): o.minStddev = v
        default: preconditionFailure("PolicyKey.parse produced \(value) for \(rawValue)")
        }
    }

    /// `10s`, `500ms`, `2m`, `1h`, `1.5s`. A bare number is refused: its unit would be a guess,
    /// and guessing seconds where someone meant milliseconds is a 1000× wrong threshold.
    static func parseDuration(_ text: String) -> Result<Duration, ParseProblem> {
        let units: [(String, Double)] = [("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        for (unit, seconds) in units where text.hasSuffix(unit) {
            // "ms" also ends in "s" and "m": only accept when what precedes the unit is a number.
            guard let v = Double(text.dropLast(unit.count)), v.isFinite else { continue }
            guard v >= 0 else { return .failure(.init("expected a duration of at least 0, got \"\(text)\"")) }
            // Checked before converting: `1e12s` is past Int64 nanoseconds; policy durations are at most 24h anyway.
            guard let ns = try? Checked.nanoseconds(seconds: v * seconds, field: "duration", max: maxDuration) else {
                return .failure(.init("expected a duration between 0s and 24h, got \(text)"))
            }
            return .success(.nanoseconds(ns))
        }
        if Double(text) != nil { return .failure(.init("durations need a unit (ms, s, m or h), like \(text)s, got \(text)")) }
        return .failure(.init("expected a duration with a unit (ms, s, m or h), like 10s or 500ms, got \"\(text.prefix(40))\""))
    }
}

/// A parse failure's message, carried in `Result` inside the parser.
struct ParseProblem: Error {
    var text: String
    init(_ text: String) { self.text = text }
}

/// Durations in messages, in the largest unit that shows them exactly (`90s`, `1500ms`, `25h`).
func formatDuration(_ d: Duration) -> String {
    let ns = alertNanoseconds(d)
    for (unit, size) in [("h", Int64(3_600_000_000_000)), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000)]
    where ns % size == 0 && ns != 0 {
        return "\(ns / size)\(unit)"
    }
    return ns == 0 ? "0s" : "\(Double(ns) / 1e9)s"
}

/// Whole nanoseconds of a duration, saturating (policy durations are capped at a day anyway).
func alertNanoseconds(_ d: Duration) -> Int64 {
    let (s, a) = d.components
    let (m, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
    return overflow ? (s > 0 ? .max : .min) : m + a / 1_000_000_000
}

/// How a node is shown in "got …" messages.
func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let s): s.string.isEmpty ? "nothing" : "\"\(s.string.prefix(40))\""
    case .mapping: "a mapping"
    case .sequence: "a list"
    case .alias: "an alias"
    }
}


/// Reads policy YAML into a `RiskPolicy`, collecting every problem instead of stopping at the first.
struct PolicyParser {
    let file: String
    private(set) var issues: [PolicyError.Issue] = []

    init(file: String) { self.file = file }

    private mutating func issue(_ node: Node?, _ key: String, _ message: String) {
        issues.append(.init(file: file, line: node?.mark?.line ?? 0, column: node?.mark?.column ?? 0, key: key, message: message))
    }

    private func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func unknownKeyMessage(_ key: String, expected: [String], what: String = "key") -> String {
        let close = expected.min { editDistance($0, key) < editDistance($1, key) }
        let hint = close.flatMap { editDistance($0, key) <= 3 ? " (did you mean \($0)?)" : nil } ?? ""
        return "unknown \(what)\(hint); expected one of \(expected.joined(separator: ", "))"
    }

    /// The entries of a mapping in file order, or nil (after an issue) when the node is not one.
    /// An empty value (`symbols:` with everything under it commented out) is an empty mapping.
    private mutating func entries(_ node: Node, _ path: String, what: String) -> [(key: String, keyNode: Node, value: Node)]? {
        if node.null != nil { return [] }
        guard case .mapping(let m) = node else {
            issue(node, path, "expected a mapping of \(what), got \(describe(node))")
            return nil
        }
        var out: [(String, Node, Node)] = []
        for (k, v) in m {
            guard case .scalar(let s) = k else { issue(k, path, "keys must be plain names, got \(describe(k))"); continue }
            out.append((s.string, k, v))
        }
        return out
    }

    mutating func parse(_ yaml: String) -> RiskPolicy {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            issues.append(Self.syntaxIssue(error, file: file))
            return .defaults
        } catch {
            issue(nil, "", "not valid YAML: \(error)")
            return .defaults
        }
        // An empty file is the defaults: every rule on, nothing overridden.
        guard let root else { return .defaults }
        guard let top = entries(root, "", what: "sections (rules, symbols, users)") else { return .defaults }

        var rules: [AlertRule: RuleThresholds] = [:]
        var ruleNodes: [AlertRule: Node] = [:]
        var overrides: [String: KeyOverride] = [:]
        var overrideNodes: [(key: String, path: String, node: Node)] = []
        for (name, keyNode, value) in top {
            switch name {
            case "rules":
                for (ruleName, ruleKeyNode, ruleValue) in entries(value, "rules", what: "rule names to settings") ?? [] {
                    let path = "rules.\(ruleName)"
                    guard let rule = AlertRule(rawValue: ruleName) else {
                        issue(ruleKeyNode, path, unknownKeyMessage(ruleName, expected: AlertRule.allCases.map(\.rawValue), what: "rule"))
                        continue
                    }
                    let o = settings(ruleValue, path, allowed: PolicyKey.allowed(for: rule))
                    rules[rule] = o.applied(to: .defaults(for: rule))
                    ruleNodes[rule] = ruleValue
                }
            case "symbols", "users":
                let perUser = name == "users"
                for (keyName, entryKeyNode, entryValue) in entries(value, name, what: perUser ? "user ids to overrides" : "symbols to overrides") ?? [] {
                    let path = "\(name).\(keyName)"
                    let alertKey: String
                    if perUser {
                        guard let id = UInt64(keyName) else {
                            issue(entryKeyNode, path, "expected a user id (a whole number like \"42\"), got \"\(keyName.prefix(40))\"")
                            continue
                        }
                        alertKey = RiskPolicy.userKey(id)
                    } else {
                        guard !keyName.isEmpty else { issue(entryKeyNode, path, "expected a symbol name like BTC-USDT, got nothing"); continue }
                        alertKey = keyName
                    }
                    guard let o = keyOverride(entryValue, path, perUser: perUser) else { continue }
                    if overrides[alertKey] != nil {
                        // "42" and "042" name the same user.
                        issue(entryKeyNode, path, "\(alertKey) is overridden twice in this file; merge the two entries")
                        continue
                    }
                    overrides[alertKey] = o
                    overrideNodes.append((alertKey, path, entryValue))
                }
            default:
                issue(keyNode, name, unknownKeyMessage(name, expected: ["rules", "symbols", "users"], what: "section"))
            }
        }

        let policy = RiskPolicy(rules: rules, overrides: overrides)
        // Constraints between keys are checked on what each key finally runs with, so an override
        // that breaks one against an inherited value is caught too.
        for rule in AlertRule.allCases {
            if let m = PolicyKey.crossFieldProblem(policy.rules[rule]!, rule: rule) {
                issue(ruleNodes[rule], "rules.\(rule.rawValue)", m)
            }
        }
        for (key, path, node) in overrideNodes {
            for rule in AlertRule.allCases where rule.isPerUser == key.hasPrefix("user:") {
                if let m = PolicyKey.crossFieldProblem(policy.thresholds(rule: rule, key: key), rule: rule) {
                    issue(node, "\(path).\(rule.rawValue)", m)
                }
            }
        }
        return policy
    }

    /// One rule's settings mapping: every allowed key type- and range-checked.
    private mutating func settings(_ node: Node, _ path: String, allowed: [PolicyKey]) -> ThresholdOverride {
        var o = ThresholdOverride()
        for (name, keyNode, value) in entries(node, path, what: "settings (\(allowed.map(\.rawValue).joined(separator: ", ")))") ?? [] {
            guard let key = PolicyKey(rawValue: name), allowed.contains(key) else {
                issue(keyNode, join(path, name), unknownKeyMessage(name, expected: allowed.map(\.rawValue)))
                continue
            }
            apply(key, value, join(path, name), to: &o)
        }
        return o
    }

    private mutating func apply(_ key: PolicyKey, _ node: Node, _ path: String, to o: inout ThresholdOverride) {
        switch key.parse(node) {
        case .failure(let p):
            issue(node, path, p.text)
        case .success(let v):
            if let m = key.rangeProblem(v) { issue(node, path, m) } else { key.set(v, in: &o) }
        }
    }

    /// A symbol's or user's overrides: rule names (of the right kind) and the all-rules keys.
    private mutating func keyOverride(_ node: Node, _ path: String, perUser: Bool) -> KeyOverride? {
        let ownRules = AlertRule.allCases.filter { $0.isPerUser == perUser }
        let expected = ownRules.map(\.rawValue) + PolicyKey.allRules.map(\.rawValue)
        guard let items = entries(node, path, what: "overrides (\(expected.joined(separator: ", ")))") else { return nil }
        var result = KeyOverride()
        for (name, keyNode, value) in items {
            let p = join(path, name)
            if let rule = AlertRule(rawValue: name) {
                guard rule.isPerUser == perUser else {
                    let fix = perUser ? "it is keyed by symbol: set it under symbols.<symbol>" : "it is keyed by user: set it under users.\"<id>\""
                    issue(keyNode, p, "\(name) cannot be overridden here: \(fix)")
                    continue
                }
                result.rules[rule] = settings(value, p, allowed: PolicyKey.allowed(for: rule))
            } else if let key = PolicyKey(rawValue: name), PolicyKey.allRules.contains(key) {
                apply(key, value, p, to: &result.allRules)
            } else {
                issue(keyNode, p, unknownKeyMessage(name, expected: expected))
            }
        }
        return result
    }

    /// A YAML syntax error as an issue at the line Yams points to.
    static func syntaxIssue(_ error: YamlError, file: String) -> PolicyError.Issue {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let ctx = context.map { "\($0.text); " } ?? ""
            return .init(file: file, line: mark.line, column: mark.column, key: "", message: "not valid YAML: \(ctx)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return .init(file: file, line: context.mark.line, column: context.mark.column, key: "",
                         message: "duplicate keys \(duplicates.joined(separator: ", ")) in one mapping; keep one of each")
        default:
            return .init(file: file, line: 0, key: "", message: "not valid YAML: \(error)")
        }
    }
}
