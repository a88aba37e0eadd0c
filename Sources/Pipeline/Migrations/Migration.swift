/// One versioned schema change: idempotent statements applied once, in order.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    /// Each statement is idempotent (`IF NOT EXISTS`), so a half-applied migration can be re-run.
    public var statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}

/// The ClickHouse schema of the pipeline, as an ordered list of migrations.
public enum SchemaMigrations {
    public static func all(database db: String) -> [Migration] {
        [
            Migration(version: 1, name: "raw_signals (seed 000)", statements: [
                """
                CREATE TABLE IF NOT EXISTS \(db).raw_signals
                (
                    event_time DateTime64(3),
                    source_id LowCardinality(String),
                    event_type LowCardinality(String),
                    payload String CODEC(ZSTD(3)),
                    severity UInt8,
                    trace_id UUID,
                    user_id String,
                    wallet_address String,
                    ingested_at DateTime64(3) DEFAULT now64(3)
                )
                ENGINE = MergeTree()
                PARTITION BY toYYYYMM(event_time)
                ORDER BY (event_type, event_time)
                TTL toDateTime(event_time) + INTERVAL 30 DAY
                SETTINGS non_replicated_deduplication_window = 10000
                """,
            ]),
        ]
    }
}
