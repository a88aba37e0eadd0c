/// A raised risk alert: which rule fired for which key, on what evidence, and when.
///
/// Coded with snake_case keys (`window_seconds`, `event_time`, `intended_time`) to match the
/// `alerts_history` table; `jsonText()` and `JSONEncoder` produce the same keys.
public struct RiskAlert: Sendable, Equatable, Codable {
    /// Deterministic: "\(rule)-\(key)-\(eventTime)", so a replay raises identical ids and
    /// downstream stores can deduplicate on it.
    public var id: String
    /// liquidity_drop, spread_blowout, order_velocity, aggressive_cancels or social_buzz.
    public var rule: String
    /// info, warning or critical: from the policy for the rule, after symbol/user overrides.
    public var severity: String
    /// The symbol, or "user:<id>" for the per-user rules.
    public var key: String
    /// The measured value that crossed the threshold (its unit depends on the rule).
    public var observed: Double
    /// The threshold it crossed, in the same unit as `observed`.
    public var threshold: Double
    /// The length of the window the rule measured over.
    public var windowSeconds: Double
    /// Event time of the triggering input (ns since epoch).
    public var eventTime: Int64
    /// Intended send time of the triggering input (ns since epoch), carried through for latency measurement.
    public var intendedTime: Int64?
    /// Supporting numbers, such as depth_before / depth_now or sentiment_swing.
    public var detail: [String: Double]
    /// When the triggering input reached the detecting consumer (ns since epoch): where the detect stage starts.
    public var receivedAt: Int64?
    /// When the detector raised the alert (ns since epoch).
    public var detectedAt: Int64?

    public init(id: String, rule: String, severity: String, key: String, observed: Double, threshold: Double,
                windowSeconds: Double, eventTime: Int64, intendedTime: Int64?, detail: [String: Double],
                receivedAt: Int64? = nil, detectedAt: Int64? = nil) {
        self.id = id
        self.rule = rule
        self.severity = severity
        self.key = key
        self.observed = observed
        self.threshold = threshold
        self.windowSeconds = windowSeconds
        self.eventTime = eventTime
        self.intendedTime = intendedTime
        self.detail = detail
        self.receivedAt = receivedAt
        self.detectedAt = detectedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, rule, severity, key, observed, threshold
        case windowSeconds = "window_seconds"
        case eventTime = "event_time"
        case intendedTime = "intended_time"
        case detail
        case receivedAt = "received_at"
        case detectedAt = "detected_at"
    }

    /// Compact JSON with a fixed key order (the field order above; `detail` keys sorted), so equal
    /// alerts always serialise to equal bytes. A missing intended, received or detected time is written as null.
    public func jsonText() -> String {
        var out = "{\"id\":"
        out.reserveCapacity(256)
        Self.appendString(id, to: &out)
        out += ",\"rule\":"; Self.appendString(rule, to: &out)
        out += ",\"severity\":"; Self.appendString(severity, to: &out)
        out += ",\"key\":"; Self.appendString(key, to: &out)
        out += ",\"observed\":"; Self.appendNumber(observed, to: &out)
        out += ",\"threshold\":"; Self.appendNumber(threshold, to: &out)
        out += ",\"window_seconds\":"; Self.appendNumber(windowSeconds, to: &out)
        out += ",\"event_time\":"; out += String(eventTime)
        out += ",\"intended_time\":"; out += intendedTime.map { String($0) } ?? "null"
        out += ",\"detail\":{"
        for (i, k) in detail.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            Self.appendString(k, to: &out)
            out += ":"
            Self.appendNumber(detail[k]!, to: &out)
        }
        out += "},\"received_at\":"; out += receivedAt.map { String($0) } ?? "null"
        out += ",\"detected_at\":"; out += detectedAt.map { String($0) } ?? "null"
        out += "}"
        return out
    }

    /// Swift's shortest round-trip form is valid JSON for finite values; JSON has no NaN or
    /// infinity, so those (which the detectors never produce) become null rather than invalid text.
    private static func appendNumber(_ v: Double, to out: inout String) {
        out += v.isFinite ? v.description : "null"
    }

    private static func appendString(_ s: String, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
