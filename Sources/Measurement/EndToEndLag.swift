import ClickHouse
import Reporting
import RiskSignalCore

/// End-to-end lag measured inside ClickHouse after the drain: `ingested_at` − intended send (corrected for coordinated
/// omission) and − actual send (`sent_at`, uncorrected), per table, over all tables, and per second of the window.
public struct EndToEndLag: Sendable {
    /// What the queries found.
    public struct Result: Sendable {
        public var tables: [TableStats] = []
        public var corrected: LatencySummary?
        public var uncorrected: LatencySummary?
        /// p50 and p99 (ms) by second of intended send time, from the window's start; 0 where a second had no rows.
        public var perSecondP50: [Double] = []
        public var perSecondP99: [Double] = []
    }

    public static let spectrumLevels = [0.0, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999, 1.0]
    static let lag = "dateDiff('microsecond', intended_at, ingested_at)"
    static let sentLag = "dateDiff('microsecond', assumeNotNull(sent_at), ingested_at)"
    static let quantiles = "count() AS n, quantilesExact(0.5, 0.9, 0.99, 0.999)(lag) AS q, max(lag) AS mx, avg(lag) AS mean"

    public var ch: ClickHouseClient
    public var window: MeasuredWindow
    public var database: String

    public init(ch: ClickHouseClient, window: MeasuredWindow, database: String) {
        self.ch = ch
        self.window = window
        self.database = database
    }

    /// Measures these tables; `book_topn` has no uncorrected lag, since its rows aggregate a window of sends.
    public func measure(tables names: [String]) async throws -> Result {
        var result = Result()
        var unions: [String] = [], sentUnions: [String] = []
        let storage = try await TableStorage.read(ch, database: database)
        let cond = window.sqlCondition
        for t in names {
            let s = ClickHouseValues.latency(try await ch.rows("SELECT \(Self.quantiles) FROM (SELECT \(Self.lag) AS lag FROM \(t) WHERE \(cond))").first)
            let st = storage[t]
            var stats = TableStats(table: t, rows: s.count, rowsPerSecond: Double(s.count) / window.seconds, bytesOnDisk: st?.bytesOnDisk ?? 0,
                                   uncompressedBytes: st?.uncompressedBytes ?? 0, activeParts: st?.activeParts ?? 0)
            stats.e2eLag = s
            unions.append("SELECT \(Self.lag) AS lag FROM \(t) WHERE \(cond)")
            if t != "book_topn" {
                let sent = "SELECT \(Self.sentLag) AS lag FROM \(t) WHERE \(cond) AND sent_at IS NOT NULL"
                let u = ClickHouseValues.latency(try await ch.rows("SELECT \(Self.quantiles) FROM (\(sent))").first)
                if u.count > 0 {
                    stats.e2eLagUncorrected = u
                    sentUnions.append(sent)
                }
            }
            // Bytes per row from the table's own accounting, times the measured window's rows.
            if let st, st.rows > 0 { stats.bytesPerSecond = Double(st.uncompressedBytes) / Double(st.rows) * stats.rowsPerSecond }
            result.tables.append(stats)
        }
        if !unions.isEmpty {
            result.corrected = try await overall(unions)
            (result.perSecondP50, result.perSecondP99) = try await perSecond(names)
        }
        if !sentUnions.isEmpty { result.uncorrected = try await overall(sentUnions) }
        return result
    }

    /// Lag of the rows stored in the last `seconds` (by `ingested_at`, which the minmax index narrows cheaply), over
    /// every table: the live figure while a run goes on (`run --dashboard`), nil when no row came in that time.
    public func recent(tables names: [String], seconds: Int = 2) async throws -> LatencySummary? {
        guard !names.isEmpty else { return nil }
        let rows = names.map { "SELECT \(Self.lag) AS lag FROM \($0) WHERE ingested_at >= now64(3) - INTERVAL \(max(1, seconds)) SECOND AND \(window.sqlCondition)" }
        let s = ClickHouseValues.latency(try await ch.rows("SELECT \(Self.quantiles) FROM (\(rows.joined(separator: " UNION ALL ")))").first)
        return s.count > 0 ? s : nil
    }

    /// One distribution over every table's rows, with its percentile spectrum, in one pass over the rows: the
    /// spectrum's levels include the summary's, and exact quantiles are the same whichever list asks for them.
    func overall(_ unions: [String]) async throws -> LatencySummary {
        let levels = Self.spectrumLevels.map { String($0) }.joined(separator: ", ")
        let row = try await ch.rows("""
            SELECT count() AS n, quantilesExact(\(levels))(lag) AS q, max(lag) AS mx, avg(lag) AS mean
            FROM (\(unions.joined(separator: " UNION ALL ")))
            """).first
        guard let row, case .array(let q)? = row["q"], q.count == Self.spectrumLevels.count else { return .empty }
        let ms = q.map { (ClickHouseValues.number($0) ?? 0) / 1000 }
        func at(_ level: Double) -> Double { ms[Self.spectrumLevels.firstIndex(of: level)!] }
        return LatencySummary(count: UInt64(ClickHouseValues.number(row["n"]) ?? 0), p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999),
                              max: (ClickHouseValues.number(row["mx"]) ?? 0) / 1000, mean: (ClickHouseValues.number(row["mean"]) ?? 0) / 1000,
                              spectrum: zip(Self.spectrumLevels, ms).map { PercentilePoint(percentile: $0 * 100, valueMs: $1) })
    }

    /// Per second of intended send time, so a stall shows where it happened.
    func perSecond(_ tables: [String]) async throws -> ([Double], [Double]) {
        let cond = window.sqlCondition
        let rows = try await ch.rows("""
            SELECT intDiv(toUnixTimestamp64Micro(intended_at) - \(window.start / 1000), 1000000) AS s, quantilesExact(0.5, 0.99)(lag) AS q
            FROM (SELECT intended_at, \(Self.lag) AS lag FROM (\(tables.map { "SELECT intended_at, ingested_at FROM \($0) WHERE \(cond)" }.joined(separator: " UNION ALL "))))
            GROUP BY s ORDER BY s
            """)
        let seconds = Int(window.seconds.rounded(.up))
        var p50 = [Double](repeating: 0, count: seconds), p99 = p50
        for r in rows {
            guard let sec = ClickHouseValues.number(r["s"]).map(Int.init), sec >= 0, sec < seconds, case .array(let q)? = r["q"], q.count == 2 else { continue }
            p50[sec] = (ClickHouseValues.number(q[0]) ?? 0) / 1000
            p99[sec] = (ClickHouseValues.number(q[1]) ?? 0) / 1000
        }
        return (p50, p99)
    }
}
