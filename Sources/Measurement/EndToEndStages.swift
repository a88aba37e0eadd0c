import ClickHouse
import Reporting
import RiskSignalCore

/// The e2e lag of the measured window's rows split into the stages the rows' own instants bound, computed by ClickHouse:
/// `fetch_wait` (`fetched_at` − `intended_at`), `batch_wait` (`insert_sent_at` − `fetched_at`) and `insert`
/// (`ingested_at` − `insert_sent_at`), per table and over all tables.
///
/// Rows without the consumer-side instants (written by a pipeline older than migration 5, NULL there) are counted and
/// left out of the percentiles; they never break the query.
public struct EndToEndStages: Sendable {
    /// The stages stored per row, with the SQL (µs) of each; `insert` floors at 0, since `ingested_at` has ms resolution.
    static let rowStages: [(name: String, sql: String)] = [
        ("fetch_wait", "dateDiff('microsecond', intended_at, assumeNotNull(fetched_at))"),
        ("batch_wait", "dateDiff('microsecond', assumeNotNull(fetched_at), assumeNotNull(insert_sent_at))"),
        ("insert", "greatest(toInt64(0), dateDiff('microsecond', assumeNotNull(insert_sent_at), ingested_at))"),
    ]
    static let stamped = "(fetched_at IS NOT NULL AND insert_sent_at IS NOT NULL)"

    public var ch: ClickHouseClient
    public var window: MeasuredWindow

    public init(ch: ClickHouseClient, window: MeasuredWindow) {
        self.ch = ch
        self.window = window
    }

    /// Per table (those given), then over all of them; tables without the stage columns are skipped.
    public func measure(tables names: [String]) async throws -> E2EStages {
        var result = E2EStages()
        var unions: [String] = []
        for t in names {
            let inner = innerSelect(t)
            let row = try await ch.rows(outerSelect(inner)).first
            let (stages, stamped, total, inserts) = Self.parse(row)
            result.tables.append(TableStages(table: t, stages: stages, stampedRows: stamped, unstampedRows: total - min(total, stamped), inserts: inserts))
            unions.append(inner)
        }
        if !unions.isEmpty {
            result.overall = Self.parse(try await ch.rows(outerSelect(unions.joined(separator: " UNION ALL "))).first).stages
        }
        return result
    }

    /// One row per window row: whether it is stamped, and each stage's µs (0 when not stamped).
    func innerSelect(_ table: String) -> String {
        let cols = Self.rowStages.map { "if(ok, \($0.sql), 0) AS \($0.name)" }.joined(separator: ", ")
        return "SELECT \(Self.stamped) AS ok, if(ok, toUnixTimestamp64Micro(assumeNotNull(insert_sent_at)), 0) AS sent, \(cols) FROM \(table) WHERE \(window.sqlCondition)"
    }

    func outerSelect(_ from: String) -> String {
        let aggs = Self.rowStages.map { s in
            "quantilesExactIf(0.5, 0.9, 0.99, 0.999)(\(s.name), ok) AS q_\(s.name), maxIf(\(s.name), ok) AS mx_\(s.name), avgIf(\(s.name), ok) AS mean_\(s.name)"
        }.joined(separator: ", ")
        // Each insert stamps one send instant on all its rows: distinct instants count the inserts (the parts they made).
        return "SELECT count() AS total, countIf(ok) AS n, uniqExactIf(sent, ok) AS inserts, \(aggs) FROM (\(from))"
    }

    /// Stage summaries (ms) from one aggregate row, with the stamped and total row counts.
    static func parse(_ row: [String: JSONValue]?) -> (stages: [String: LatencySummary], stamped: UInt64, total: UInt64, inserts: UInt64) {
        guard let row else { return ([:], 0, 0, 0) }
        let n = UInt64(ClickHouseValues.number(row["n"]) ?? 0), total = UInt64(ClickHouseValues.number(row["total"]) ?? 0)
        let inserts = UInt64(ClickHouseValues.number(row["inserts"]) ?? 0)
        guard n > 0 else { return ([:], 0, total, inserts) }
        var out: [String: LatencySummary] = [:]
        for s in rowStages {
            out[s.name] = ClickHouseValues.latency(["n": .int(Int64(n)), "q": row["q_\(s.name)"] ?? .array([]),
                                                    "mx": row["mx_\(s.name)"] ?? .int(0), "mean": row["mean_\(s.name)"] ?? .int(0)])
        }
        return (out, n, total, inserts)
    }
}
