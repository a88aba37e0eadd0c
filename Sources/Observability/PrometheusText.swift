/// Prometheus text exposition (format 0.0.4), built family by family: `# HELP`, `# TYPE`, then the samples.
public struct PrometheusText: Sendable, Equatable {
    /// The kind a family declares in its `# TYPE` line.
    public enum Kind: String, Sendable { case counter, gauge }
    /// One sample: its labels (name, value) and its value.
    public typealias Sample = (labels: [(String, String)], value: Double)

    public private(set) var text = ""

    public init() {}

    /// One family with its samples, each a set of labels and a value; a family without samples is left out.
    public mutating func family(_ name: String, _ kind: Kind, help: String, samples: [Sample]) {
        guard !samples.isEmpty else { return }
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n"
        for s in samples {
            let labels = s.labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
            text += name + (labels.isEmpty ? "" : "{\(labels)}") + " " + Self.number(s.value) + "\n"
        }
    }

    /// One family with one unlabelled sample.
    public mutating func family(_ name: String, _ kind: Kind, help: String, value: Double) {
        family(name, kind, help: help, samples: [([], value)])
    }

    /// A label value with `\`, `"` and newlines escaped, as the format requires.
    static func escape(_ v: String) -> String {
        v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}
