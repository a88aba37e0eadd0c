import Reporting
import RiskSignalCore

/// Reading numbers out of ClickHouse's JSON rows, which carry 64-bit integers as strings.
enum ClickHouseValues {
    static func number(_ v: JSONValue?) -> Double? {
        switch v {
        case .int(let i)?: Double(i)
        case .double(let d)?: d
        case .string(let s)?: Double(s)
        default: nil
        }
    }

    /// A row of `count() AS n, quantilesExact(0.5, 0.9, 0.99, 0.999)(lag) AS q, max(lag) AS mx, avg(lag) AS mean`, lag in µs, as ms.
    static func latency(_ row: [String: JSONValue]?) -> LatencySummary {
        guard let row else { return .empty }
        func num(_ v: JSONValue?) -> Double { number(v) ?? 0 }
        var q: [Double] = [0, 0, 0, 0]
        if case .array(let a)? = row["q"] { q = a.map { num($0) / 1000 } + [0, 0, 0, 0] }
        return LatencySummary(count: UInt64(num(row["n"])), p50: q[0], p90: q[1], p99: q[2], p999: q[3], max: num(row["mx"]) / 1000,
                              mean: num(row["mean"]) / 1000)
    }
}
