/// Where the end-to-end time of a run's rows went, stage by stage, per table and over all tables.
///
/// Stages, in the order a row lives them:
/// - `publish`: JetStream publish ack − intended send (rsbench's own histogram, per workload; not stored per row).
/// - `fetch_wait`: `fetched_at` − `intended_at`: publish, then waiting in the stream until the consumer's fetch.
/// - `batch_wait`: `insert_sent_at` − `fetched_at`: waiting for the batch to close (size or age) and for the insert before it.
/// - `insert`: `ingested_at` − `insert_sent_at`: the HTTP request until ClickHouse stamped the row (1 ms resolution).
/// - `visible`: first `SELECT` that saw the row − `ingested_at` (rsbench's poller; an upper bound, within one poll interval).
///
/// `fetch_wait` + `batch_wait` + `insert` is exactly the row's e2e lag; `publish` overlaps `fetch_wait`, and `visible` follows it.
public struct E2EStages: Codable, Sendable, Equatable {
    /// Every stage name, in a row's order; the names gates and reports use.
    public static let names = ["publish", "fetch_wait", "batch_wait", "insert", "visible"]
    /// The stages that add up to the e2e lag, then the one after it: the segments of the stacked bar.
    public static let stacked = ["fetch_wait", "batch_wait", "insert", "visible"]

    /// Per table, in the order the run measured them.
    public var tables: [TableStages]
    /// Over all tables' rows (the `publish` stage over all workloads).
    public var overall: [String: LatencySummary]
    /// How often the visibility poller asked, in ms: the resolution of the `visible` stage.
    public var visiblePollMs: Double?

    public init(tables: [TableStages] = [], overall: [String: LatencySummary] = [:], visiblePollMs: Double? = nil) {
        self.tables = tables
        self.overall = overall
        self.visiblePollMs = visiblePollMs
    }

    /// A stage's distribution over all tables, or of one table.
    public func summary(_ stage: String, table: String? = nil) -> LatencySummary? {
        guard let table else { return overall[stage] }
        return tables.first { $0.table == table }?.stages[stage]
    }
}

/// One table's stages, and how many of its rows carried the consumer-side instants.
public struct TableStages: Codable, Sendable, Equatable {
    public var table: String
    /// By stage name (`E2EStages.names`); a stage the run could not measure for this table is absent.
    public var stages: [String: LatencySummary]
    /// Rows in the window with both consumer-side instants; rows an older pipeline wrote (NULL instants) are not counted.
    public var stampedRows: UInt64
    /// Rows in the window without them.
    public var unstampedRows: UInt64
    /// Inserts that stored the stamped rows (distinct `insert_sent_at`): each made at least one part.
    public var inserts: UInt64

    public init(table: String, stages: [String: LatencySummary] = [:], stampedRows: UInt64 = 0, unstampedRows: UInt64 = 0, inserts: UInt64 = 0) {
        self.table = table
        self.stages = stages
        self.stampedRows = stampedRows
        self.unstampedRows = unstampedRows
        self.inserts = inserts
    }

    private enum CodingKeys: String, CodingKey { case table, stages, stampedRows, unstampedRows, inserts }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        table = try c.decode(String.self, forKey: .table)
        stages = try c.decodeIfPresent([String: LatencySummary].self, forKey: .stages) ?? [:]
        stampedRows = try c.decodeIfPresent(UInt64.self, forKey: .stampedRows) ?? 0
        unstampedRows = try c.decodeIfPresent(UInt64.self, forKey: .unstampedRows) ?? 0
        inserts = try c.decodeIfPresent(UInt64.self, forKey: .inserts) ?? 0
    }
}
