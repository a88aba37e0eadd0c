/// Per-event costs measured by one or more runs: what the planner scales to the target rate.
public struct CapacityModel: Sendable, Equatable, Codable {
    /// One stack component's CPU and memory cost.
    public struct Component: Sendable, Equatable, Codable {
        public var name: String
        /// CPU seconds per 1,000 events.
        public var cpuSecondsPer1kEvents: Double
        /// RSS (MiB) that does not depend on the rate.
        public var rssFixedMB: Double
        /// Extra RSS (MiB) per event/s.
        public var rssMBPerEventPerSecond: Double
        /// Lowest RSS (MiB) the plan assumes, whatever the rate.
        public var rssFloorMB: Double

        /// RSS (MiB) projected at `rate` events/s.
        public func rss(at rate: Double) -> Double { max(rssFloorMB, rssFixedMB + rssMBPerEventPerSecond * rate) }
    }

    /// One table's storage cost.
    public struct Table: Sendable, Equatable, Codable {
        public var table: String
        public var rowsPerEvent: Double
        /// Compressed bytes on disk per row.
        public var bytesPerRow: Double
    }

    /// One JetStream stream's storage cost.
    public struct Stream: Sendable, Equatable, Codable {
        public var stream: String
        public var bytesPerEvent: Double
        public var maxAgeSeconds: Double?
    }

    /// How RSS was projected.
    public enum RSSModel: String, Sendable, Codable {
        /// Two or more runs at different rates: fixed + per-rate, fitted by least squares.
        case fixedPlusPerRate = "fixed+per-rate"
        /// One rate only: RSS grows in proportion to the rate above the measured one and never
        /// shrinks below it. Conservative: real RSS usually has a large fixed part.
        case proportionalAboveMeasured = "proportional-above-measured"
    }

    public var measuredEventsPerSecond: Double
    public var measuredEvents: Double
    public var components: [Component]
    public var tables: [Table]
    public var streams: [Stream]
    public var rssModel: RSSModel
    /// Processes the reports had but the plan leaves out (rsbench).
    public var excluded: [String]

    /// Builds the model from reports; costs are pooled (Σ cost ÷ Σ events) across all of them.
    public static func from(_ reports: [RunReport], excluding: [String] = ["rsbench"]) throws -> CapacityModel {
        guard !reports.isEmpty else { throw ReportingError.noReports(side: "plan") }
        let events = reports.map { Double($0.events.acked) }
        let totalEvents = events.reduce(0, +)
        guard totalEvents > 0 else {
            throw ReportingError.invalidPlanInput("the report has no acked events; plan from a run that carried load")
        }
        let rates = reports.map { $0.events.achievedPerSecond > 0 ? $0.events.achievedPerSecond : Double($0.events.acked) / max($0.durationSeconds, 1e-9) }
        let measuredRate = rates.reduce(0, +) / Double(rates.count)
        let isExcluded = { (name: String) in excluding.contains { name == $0 || name.hasPrefix($0 + "-") } }

        let names = Set(reports.flatMap { $0.resources.map(\.name) }).sorted()
        let distinctRates = Set(rates.map { ($0 * 1000).rounded() }).count >= 2
        var components: [Component] = []
        for name in names where !isExcluded(name) {
            let perRun = reports.indices.compactMap { i in reports[i].resources.first { $0.name == name }.map { (rate: rates[i], p: $0) } }
            let cpu = perRun.reduce(0) { $0 + $1.p.cpuSeconds }
            // cpuSeconds covers the measured window, so its events are the window's (`cost.events`) when the report has them.
            let evs = reports.indices.filter { i in reports[i].resources.contains { $0.name == name } }
                .reduce(0) { $0 + (reports[$1].cost.map { Double($0.events) } ?? events[$1]) }
            let cpuPer1k = evs > 0 ? cpu / (evs / 1000) : 0
            if distinctRates, Set(perRun.map { ($0.rate * 1000).rounded() }).count >= 2 {
                let fit = leastSquares(perRun.map { ($0.rate, $0.p.rssMaxMB) })
                // A negative slope is measurement noise; memory does not shrink with load.
                let slope = max(0, fit.slope)
                let fixed = max(0, slope == fit.slope ? fit.intercept : perRun.map(\.p.rssMaxMB).max()!)
                components.append(Component(name: name, cpuSecondsPer1kEvents: cpuPer1k, rssFixedMB: fixed, rssMBPerEventPerSecond: slope, rssFloorMB: 0))
            } else {
                let p = perRun.max { $0.p.rssMaxMB < $1.p.rssMaxMB }!
                components.append(Component(name: name, cpuSecondsPer1kEvents: cpuPer1k, rssFixedMB: 0,
                                            rssMBPerEventPerSecond: p.rate > 0 ? p.p.rssMaxMB / p.rate : 0, rssFloorMB: p.p.rssMaxMB))
            }
        }

        let tableNames = Set(reports.flatMap { $0.tables.map(\.table) }).sorted()
        let tables = tableNames.map { t -> Table in
            let stats = reports.compactMap { r in r.tables.first { $0.table == t } }
            let rows = stats.reduce(0.0) { $0 + Double($1.rows) }
            let bytes = stats.reduce(0.0) { $0 + Double($1.bytesOnDisk) }
            return Table(table: t, rowsPerEvent: rows / totalEvents, bytesPerRow: rows > 0 ? bytes / rows : 0)
        }
        let streamNames = Set(reports.flatMap { $0.streams.map(\.stream) }).sorted()
        let streams = streamNames.map { s -> Stream in
            let stats = reports.compactMap { r in r.streams.first { $0.stream == s } }
            let bytes = stats.reduce(0.0) { $0 + Double($1.bytes) }
            return Stream(stream: s, bytesPerEvent: bytes / totalEvents, maxAgeSeconds: stats.compactMap(\.maxAgeSeconds).max())
        }
        return CapacityModel(measuredEventsPerSecond: measuredRate, measuredEvents: totalEvents, components: components, tables: tables, streams: streams,
                             rssModel: distinctRates ? .fixedPlusPerRate : .proportionalAboveMeasured,
                             excluded: names.filter(isExcluded))
    }

    static func leastSquares(_ points: [(Double, Double)]) -> (slope: Double, intercept: Double) {
        let n = Double(points.count)
        let mx = points.reduce(0) { $0 + $1.0 } / n, my = points.reduce(0) { $0 + $1.1 } / n
        let sxx = points.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        let sxy = points.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        guard sxx > 0 else { return (0, my) }
        let slope = sxy / sxx
        return (slope, my - slope * mx)
    }
}
