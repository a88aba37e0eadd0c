import Foundation

/// Where risk policies come from (a YAML file today; a database later).
public protocol RiskPolicySource: Sendable {
    func load() throws(PolicyError) -> RiskPolicy
}

/// A policy read from a YAML file (format: policies/README.md).
public struct YAMLPolicyFile: RiskPolicySource {
    public var path: String

    public init(path: String) { self.path = path }

    /// Reads and parses the file; every problem in it is reported in one `PolicyError`.
    public func load() throws(PolicyError) -> RiskPolicy {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PolicyError(file: path, line: 0, key: "",
                              message: "cannot read the policy file (\(error.localizedDescription)); check the path and that it is readable UTF-8 text")
        }
        return try RiskPolicy.parse(yaml: text, file: path)
    }
}

/// The thresholds every detector runs with: one setting per rule, plus overrides per symbol and per user.
public struct RiskPolicy: Sendable, Equatable {
    /// The settings of each rule before overrides; a rule missing here runs with its defaults.
    public var rules: [AlertRule: RuleThresholds]
    /// Overrides by alert key: a symbol like "BTC-USDT", or "user:<id>" (see `userKey`).
    public var overrides: [String: KeyOverride]

    public init(rules: [AlertRule: RuleThresholds] = [:], overrides: [String: KeyOverride] = [:]) {
        var all = rules
        for rule in AlertRule.allCases where all[rule] == nil { all[rule] = RuleThresholds.defaults(for: rule) }
        self.rules = all
        self.overrides = overrides
    }

    /// Every rule enabled with its built-in thresholds (the values in policies/default.yaml).
    public static let defaults = RiskPolicy()

    /// The alert key of a user, as the per-user rules and `overrides` use it.
    public static func userKey(_ userID: UInt64) -> String { "user:\(userID)" }

    /// Parses policy YAML; `file` names the source in error messages.
    public static func parse(yaml: String, file: String) throws(PolicyError) -> RiskPolicy {
        var parser = PolicyParser(file: file)
        let policy = parser.parse(yaml)
        if !parser.issues.isEmpty { throw PolicyError(issues: parser.issues) }
        return policy
    }

    /// The settings `rule` runs with for `key` (a symbol, or "user:<id>"): the rule's settings,
    /// then the key's all-rules override, then its override for this rule.
    public func thresholds(rule: AlertRule, key: String) -> RuleThresholds {
        let base = rules[rule] ?? RuleThresholds.defaults(for: rule)
        guard let o = overrides[key] else { return base }
        var t = o.allRules.applied(to: base)
        if let r = o.rules[rule] { t = r.applied(to: t) }
        return t
    }

    /// Checks a policy built in code (a database source, say) against the same ranges the YAML
    /// parser enforces; `source` names it in the error. Lines are 0: there is no file.
    public func validate(source: String) throws(PolicyError) {
        var issues: [PolicyError.Issue] = []
        func check(_ t: RuleThresholds, _ rule: AlertRule, _ path: String) {
            for key in PolicyKey.allowed(for: rule) {
                if let m = key.rangeProblem(key.value(in: t)) {
                    issues.append(.init(file: source, line: 0, key: "\(path).\(key.rawValue)", message: m))
                }
            }
            if let m = PolicyKey.crossFieldProblem(t, rule: rule) {
                issues.append(.init(file: source, line: 0, key: path, message: m))
            }
        }
        for rule in AlertRule.allCases { check(rules[rule] ?? .defaults(for: rule), rule, "rules.\(rule.rawValue)") }
        for key in overrides.keys.sorted() {
            let isUser = key.hasPrefix("user:")
            let section = isUser ? "users.\(key.dropFirst(5))" : "symbols.\(key)"
            for rule in AlertRule.allCases where rule.isPerUser == isUser {
                check(thresholds(rule: rule, key: key), rule, "\(section).\(rule.rawValue)")
            }
        }
        if !issues.isEmpty { throw PolicyError(issues: issues) }
    }
}
