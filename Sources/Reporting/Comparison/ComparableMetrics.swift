/// The metrics `compare` looks at, named like gate metrics so a scenario's tolerance block can use the same names.
public enum ComparableMetrics {
    /// One metric's value in one run.
    public struct Value: Sendable, Equatable {
        public var value: Double
        public var unit: String
        public var direction: MetricDirection
    }

    /// Latency percentiles (`e2e_lag.p99`), throughput per table (`insert_rows_per_s.trades`),
    /// the achieved event rate, CPU/RSS per process (`cpu.nats-server`, `rss_mb.nats-server`) and CPU per event per
    /// process and for the stack (`cpu_us_per_event.stack`).
    public static func extract(_ r: RunReport) -> [String: Value] {
        var m: [String: Value] = [:]
        for n in r.latency.named where n.summary.count > 0 {
            for stat in MetricCatalog.statistics {
                m["\(n.key).\(stat)"] = Value(value: n.summary.value(stat)!, unit: "ms", direction: MetricCatalog.direction(of: n.key))
            }
        }
        for t in r.tables {
            m["insert_rows_per_s.\(t.table)"] = Value(value: t.rowsPerSecond, unit: "rows/s", direction: .higherIsBetter)
        }
        if !r.tables.isEmpty {
            m["insert_rows_per_s"] = Value(value: r.tables.reduce(0) { $0 + $1.rowsPerSecond }, unit: "rows/s", direction: .higherIsBetter)
        }
        m["achieved_rate"] = Value(value: r.events.achievedPerSecond, unit: "ev/s", direction: .higherIsBetter)
        for p in r.resources {
            m["cpu.\(p.name)"] = Value(value: p.cpuPercentMean, unit: "%", direction: .lowerIsBetter)
            m["cpu_max.\(p.name)"] = Value(value: p.cpuPercentMax, unit: "%", direction: .lowerIsBetter)
            m["rss_mb.\(p.name)"] = Value(value: p.rssMaxMB, unit: "MB", direction: .lowerIsBetter)
            if let us = p.cpuUsPerEvent { m["cpu_us_per_event.\(p.name)"] = Value(value: us, unit: "µs", direction: .lowerIsBetter) }
        }
        if let us = r.cost?.stack.cpuUsPerEvent { m["cpu_us_per_event.\(CPUCost.stackName)"] = Value(value: us, unit: "µs", direction: .lowerIsBetter) }
        return m
    }
}
