/// The detectors the engine runs; the raw value is the rule's name in policies and alerts.
public enum AlertRule: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case liquidityDrop = "liquidity_drop"
    case spreadBlowout = "spread_blowout"
    case orderVelocity = "order_velocity"
    case aggressiveCancels = "aggressive_cancels"
    case socialBuzz = "social_buzz"

    public var description: String { rawValue }

    /// Whether the rule is keyed by symbol (books, posts) or by user (orders).
    public var isPerUser: Bool { self == .orderVelocity || self == .aggressiveCancels }

    /// Dense index for per-rule counters.
    var index: Int {
        switch self {
        case .liquidityDrop: 0
        case .spreadBlowout: 1
        case .orderVelocity: 2
        case .aggressiveCancels: 3
        case .socialBuzz: 4
        }
    }
}

/// How urgent an alert is; set per rule in the policy and overridable per symbol or user.
public enum AlertSeverity: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case info, warning, critical
    public var description: String { rawValue }
}

/// The settings one rule runs with for one key, after the policy's overrides are applied.
///
/// One flat struct serves every rule: each rule reads only its own fields (listed per field),
/// which keeps overrides a plain field-by-field merge.
public struct RuleThresholds: Sendable, Equatable {
    /// A disabled rule keeps no state and raises nothing.
    public var enabled: Bool
    public var severity: AlertSeverity
    /// The trailing window the rule measures over. social_buzz always uses 60 s (mentions per minute).
    public var window: Duration
    /// After an alert for (rule, key), repeats within this much event time are suppressed.
    public var cooldown: Duration
    /// liquidity_drop: fire when depth falls by more than this fraction of the window's maximum.
    public var dropFraction: Double
    /// liquidity_drop: book observations needed in the window; spread_blowout: samples needed in the baseline.
    public var minSamples: Int
    /// spread_blowout: fire when the spread exceeds this multiple of its rolling median.
    public var factor: Double
    /// order_velocity: fire when a user's new orders in the window exceed this count.
    public var maxOrders: Int
    /// aggressive_cancels: fire when a user's cancels / new orders in the window exceed this ratio.
    public var maxRatio: Double
    /// aggressive_cancels: new orders needed in the window before the ratio means anything.
    public var minOrders: Int
    /// social_buzz: per-minute counts in the baseline.
    public var baselineMinutes: Int
    /// social_buzz: minutes of history needed before the z-score is trusted.
    public var minBaselineMinutes: Int
    /// social_buzz: fire when the current minute's z-score exceeds this.
    public var z: Double
    /// social_buzz: floor on the baseline's standard deviation, so a perfectly flat baseline
    /// does not turn a one-post wobble into a huge z-score.
    public var minStddev: Double

    public init(enabled: Bool = true, severity: AlertSeverity = .warning, window: Duration = .seconds(60),
                cooldown: Duration = .seconds(60), dropFraction: Double = 0.5, minSamples: Int = 3,
                factor: Double = 5, maxOrders: Int = 20, maxRatio: Double = 0.8, minOrders: Int = 10,
                baselineMinutes: Int = 30, minBaselineMinutes: Int = 5, z: Double = 4, minStddev: Double = 1) {
        self.enabled = enabled
        self.severity = severity
        self.window = window
        self.cooldown = cooldown
        self.dropFraction = dropFraction
        self.minSamples = minSamples
        self.factor = factor
        self.maxOrders = maxOrders
        self.maxRatio = maxRatio
        self.minOrders = minOrders
        self.baselineMinutes = baselineMinutes
        self.minBaselineMinutes = minBaselineMinutes
        self.z = z
        self.minStddev = minStddev
    }

    /// The built-in settings for a rule (the values policies/default.yaml spells out).
    public static func defaults(for rule: AlertRule) -> RuleThresholds {
        switch rule {
        case .liquidityDrop:
            RuleThresholds(severity: .critical, window: .seconds(10), cooldown: .seconds(60), dropFraction: 0.5, minSamples: 3)
        case .spreadBlowout:
            RuleThresholds(severity: .warning, window: .seconds(60), cooldown: .seconds(60), minSamples: 20, factor: 5)
        case .orderVelocity:
            RuleThresholds(severity: .warning, window: .seconds(10), cooldown: .seconds(60), maxOrders: 20)
        case .aggressiveCancels:
            RuleThresholds(severity: .warning, window: .seconds(60), cooldown: .seconds(120), maxRatio: 0.8, minOrders: 10)
        case .socialBuzz:
            RuleThresholds(severity: .info, window: .seconds(60), cooldown: .seconds(300),
                           baselineMinutes: 30, minBaselineMinutes: 5, z: 4, minStddev: 1)
        }
    }

    /// The threshold an alert of `rule` reports, in the unit of its observed value.
    func threshold(for rule: AlertRule) -> Double {
        switch rule {
        case .liquidityDrop: dropFraction
        case .spreadBlowout: factor
        case .orderVelocity: Double(maxOrders)
        case .aggressiveCancels: maxRatio
        case .socialBuzz: z
        }
    }
}

/// A partial set of rule settings: each field that is set replaces the policy's value.
public struct ThresholdOverride: Sendable, Equatable {
    public var enabled: Bool?
    public var severity: AlertSeverity?
    public var window: Duration?
    public var cooldown: Duration?
    public var dropFraction: Double?
    public var minSamples: Int?
    public var factor: Double?
    public var maxOrders: Int?
    public var maxRatio: Double?
    public var minOrders: Int?
    public var baselineMinutes: Int?
    public var minBaselineMinutes: Int?
    public var z: Double?
    public var minStddev: Double?

    public init(enabled: Bool? = nil, severity: AlertSeverity? = nil, window: Duration? = nil, cooldown: Duration? = nil,
                dropFraction: Double? = nil, minSamples: Int? = nil, factor: Double? = nil, maxOrders: Int? = nil,
                maxRatio: Double? = nil, minOrders: Int? = nil, baselineMinutes: Int? = nil,
                minBaselineMinutes: Int? = nil, z: Double? = nil, minStddev: Double? = nil) {
        self.enabled = enabled
        self.severity = severity
        self.window = window
        self.cooldown = cooldown
        self.dropFraction = dropFraction
        self.minSamples = minSamples
        self.factor = factor
        self.maxOrders = maxOrders
        self.maxRatio = maxRatio
        self.minOrders = minOrders
        self.baselineMinutes = baselineMinutes
        self.minBaselineMinutes = minBaselineMinutes
        self.z = z
        self.minStddev = minStddev
    }

    public var isEmpty: Bool { self == ThresholdOverride() }

    /// `base` with every set field of this override written over it.
    public func applied(to base: RuleThresholds) -> RuleThresholds {
        var t = base
        if let v = enabled { t.enabled = v }
        if let v = severity { t.severity = v }
        if let v = window { t.window = v }
        if let v = cooldown { t.cooldown = v }
        if let v = dropFraction { t.dropFraction = v }
        if let v = minSamples { t.minSamples = v }
        if let v = factor { t.factor = v }
        if let v = maxOrders { t.maxOrders = v }
        if let v = maxRatio { t.maxRatio = v }
        if let v = minOrders { t.minOrders = v }
        if let v = baselineMinutes { t.baselineMinutes = v }
        if let v = minBaselineMinutes { t.minBaselineMinutes = v }
        if let v = z { t.z = v }
        if let v = minStddev { t.minStddev = v }
        return t
    }
}

/// Overrides for one key (a symbol, or "user:<id>"): some for every rule, some per rule.
public struct KeyOverride: Sendable, Equatable {
    /// Applied to every rule of the key first (the YAML allows enabled, severity and cooldown here).
    public var allRules: ThresholdOverride
    /// Applied after `allRules`, so a rule-specific value wins.
    public var rules: [AlertRule: ThresholdOverride]

    public init(allRules: ThresholdOverride = .init(), rules: [AlertRule: ThresholdOverride] = [:]) {
        self.allRules = allRules
        self.rules = rules
    }
}
