import Foundation

/// One measured throughput figure: the rate of each repeat, summarised by its median.
public struct ThroughputResult: Sendable, Codable {
    public var name: String
    public var unit: String
    /// Rate of each repeat, in `unit` per second.
    public var runs: [Double]
    public var detail: String

    public init(name: String, unit: String, runs: [Double], detail: String) {
        self.name = name
        self.unit = unit
        self.runs = runs
        self.detail = detail
    }

    public var median: Double {
        let s = runs.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    public var min: Double { runs.min() ?? 0 }
    public var max: Double { runs.max() ?? 0 }
}

/// Renders results as an aligned text table for the terminal and closing notes.
public enum ResultTable {
    public static func render(_ results: [ThroughputResult]) -> String {
        var lines = ["measurement                                   median/s      min/s      max/s  runs  detail"]
        for r in results {
            func f(_ v: Double) -> String { String(format: "%10.0f", v) }
            lines.append("\(r.name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(f(r.median)) \(f(r.min)) \(f(r.max))  \(String(r.runs.count).padding(toLength: 4, withPad: " ", startingAt: 0))  \(r.detail)")
        }
        return lines.joined(separator: "\n")
    }
}
