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
///
/// Every table carries `event_id` (the idempotency key, last in `ORDER BY` so that
/// ReplacingMergeTree collapses redelivered copies), `intended_at` (when the producer meant to
/// send the event; epoch 0 when unknown) and `ingested_at` (set by ClickHouse at insert), so
/// end-to-end lag is `ingested_at - intended_at`, computed by ClickHouse itself.
public enum SchemaMigrations {
    /// The columns every table ends with.
    static let common = """
        event_id String,
            intended_at DateTime64(6) DEFAULT toDateTime64(0, 6),
            ingested_at DateTime64(3) DEFAULT now64(3)
        """

    /// Engine and retention shared by the event tables; `insert_deduplication_token` needs the window.
    /// The TTL goes by `toDateTime(event_time)`, so encoders refuse event times it would drop at once or wrap
    /// (`ColumnLimits.eventTime`: now − 30 days … now + 1 day) instead of acking rows that vanish.
    static func engine(orderBy: String, ttlDays: Int = 30, timeColumn: String = "event_time") -> String {
        """
        ENGINE = ReplacingMergeTree
        PARTITION BY toYYYYMM(\(timeColumn))
        ORDER BY (\(orderBy), event_id)
        TTL toDateTime(\(timeColumn)) + INTERVAL \(ttlDays) DAY
        SETTINGS non_replicated_deduplication_window = 10000
        """
    }

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
                    \(common)
                )
                \(engine(orderBy: "event_type, event_time"))
                """,
            ]),
            Migration(version: 2, name: "seed 004 tables, alerts_history, dead_letters", statements: [
                """
                CREATE TABLE IF NOT EXISTS \(db).social_buzz
                (
                    event_time DateTime64(3),
                    symbol LowCardinality(String),
                    source LowCardinality(String),
                    language LowCardinality(String),
                    text String CODEC(ZSTD(3)),
                    sentiment_score Float32,
                    sentiment_label LowCardinality(String),
                    tokens_count UInt32,
                    embedding Array(Float32) DEFAULT [],
                    provider LowCardinality(String),
                    metadata String CODEC(ZSTD(3)),
                    \(common)
                )
                \(engine(orderBy: "symbol, event_time"))
                """,
                """
                CREATE TABLE IF NOT EXISTS \(db).trades
                (
                    event_time DateTime64(3),
                    symbol LowCardinality(String),
                    trade_id UInt64,
                    price Float64,
                    quantity Float64,
                    side Enum8('BUY' = 1, 'SELL' = 2),
                    taker Bool,
                    order_id UInt64,
                    metadata String CODEC(ZSTD(3)),
                    \(common)
                )
                \(engine(orderBy: "symbol, event_time"))
                """,
                """
                CREATE TABLE IF NOT EXISTS \(db).book_topn
                (
                    event_time DateTime64(3),
                    symbol LowCardinality(String),
                    bids Array(Tuple(Float64, Float64)),
                    asks Array(Tuple(Float64, Float64)),
                    update_type LowCardinality(String),
                    metadata String CODEC(ZSTD(3)),
                    \(common)
                )
                \(engine(orderBy: "symbol, event_time"))
                """,
                """
                CREATE TABLE IF NOT EXISTS \(db).user_orders
                (
                    event_time DateTime64(3),
                    user_id UInt64,
                    order_id UInt64,
                    symbol LowCardinality(String),
                    side Enum8('BUY' = 1, 'SELL' = 2),
                    type LowCardinality(String),
                    price Float64,
                    quantity Float64,
                    filled_quantity Float64,
                    status LowCardinality(String),
                    metadata String CODEC(ZSTD(3)),
                    \(common)
                )
                \(engine(orderBy: "user_id, event_time"))
                """,
                """
                CREATE TABLE IF NOT EXISTS \(db).frontend_actions
                (
                    event_time DateTime64(3),
                    session_id String,
                    user_id UInt64,
                    event_type LowCardinality(String),
                    element String,
                    properties String CODEC(ZSTD(3)),
                    metadata String CODEC(ZSTD(3)),
                    \(common)
                )
                \(engine(orderBy: "session_id, event_time"))
                """,
                """
                CREATE TABLE IF NOT EXISTS \(db).alerts_history
                (
                    event_time DateTime64(3),
                    alert_id String,
                    rule LowCardinality(String),
                    severity LowCardinality(String),
                    key String,
                    observed Float64,
                    threshold Float64,
                    window_seconds Float64,
                    raised_at DateTime64(3),
                    status LowCardinality(String),
                    attempts UInt16,
                    endpoint String,
                    delivered_at Nullable(DateTime64(3)),
                    latency_ms Float64,
                    detail String CODEC(ZSTD(3)),
                    \(common)
                )
                \(engine(orderBy: "rule, key, event_time"))
                """,
                """
                CREATE TABLE IF NOT EXISTS \(db).dead_letters
                (
                    event_time DateTime64(3),
                    stream LowCardinality(String),
                    subject String,
                    consumer LowCardinality(String),
                    stream_sequence UInt64,
                    field String,
                    reason String,
                    payload String CODEC(ZSTD(3)),
                    headers String CODEC(ZSTD(3)),
                    \(common)
                )
                \(engine(orderBy: "stream, event_time", ttlDays: 14))
                """,
            ]),
            Migration(version: 3, name: "rolling metrics: per-minute rollups fed by materialised views", statements: [
                """
                CREATE TABLE IF NOT EXISTS \(db).market_trades_1m
                (minute DateTime, symbol LowCardinality(String), trades UInt64, volume Float64, notional Float64)
                ENGINE = SummingMergeTree PARTITION BY toYYYYMM(minute) ORDER BY (symbol, minute)
                TTL minute + INTERVAL 30 DAY
                """,
                """
                CREATE MATERIALIZED VIEW IF NOT EXISTS \(db).market_trades_1m_mv TO \(db).market_trades_1m AS
                SELECT toStartOfMinute(event_time) AS minute, symbol, count() AS trades, sum(quantity) AS volume, sum(price * quantity) AS notional
                FROM \(db).trades GROUP BY minute, symbol
                """,
                """
                CREATE TABLE IF NOT EXISTS \(db).market_book_1m
                (minute DateTime, symbol LowCardinality(String), snapshots SimpleAggregateFunction(sum, UInt64), spread_bps_sum SimpleAggregateFunction(sum, Float64), depth_sum SimpleAggregateFunction(sum, Float64), depth_min SimpleAggregateFunction(min, Float64))
                ENGINE = AggregatingMergeTree PARTITION BY toYYYYMM(minute) ORDER BY (symbol, minute)
                TTL minute + INTERVAL 30 DAY
                """,
                """
                CREATE MATERIALIZED VIEW IF NOT EXISTS \(db).market_book_1m_mv TO \(db).market_book_1m AS
                SELECT toStartOfMinute(event_time) AS minute, symbol, count() AS snapshots,
                       sum(if(length(bids) > 0 AND length(asks) > 0, (asks[1].1 - bids[1].1) / ((asks[1].1 + bids[1].1) / 2) * 10000, 0)) AS spread_bps_sum,
                       sum(arraySum(arrayMap(x -> x.2, bids)) + arraySum(arrayMap(x -> x.2, asks))) AS depth_sum,
                       min(arraySum(arrayMap(x -> x.2, bids)) + arraySum(arrayMap(x -> x.2, asks))) AS depth_min
                FROM \(db).book_topn WHERE update_type = 'snapshot' GROUP BY minute, symbol
                """,
                """
                CREATE TABLE IF NOT EXISTS \(db).user_orders_1m
                (minute DateTime, user_id UInt64, orders UInt64, cancels UInt64, fills UInt64)
                ENGINE = SummingMergeTree PARTITION BY toYYYYMM(minute) ORDER BY (user_id, minute)
                TTL minute + INTERVAL 30 DAY
                """,
                """
                CREATE MATERIALIZED VIEW IF NOT EXISTS \(db).user_orders_1m_mv TO \(db).user_orders_1m AS
                SELECT toStartOfMinute(event_time) AS minute, user_id, countIf(status = 'new') AS orders,
                       countIf(status = 'canceled') AS cancels, countIf(status = 'filled') AS fills
                FROM \(db).user_orders GROUP BY minute, user_id
                """,
                """
                CREATE TABLE IF NOT EXISTS \(db).social_1m
                (minute DateTime, symbol LowCardinality(String), mentions UInt64, sentiment_sum Float64)
                ENGINE = SummingMergeTree PARTITION BY toYYYYMM(minute) ORDER BY (symbol, minute)
                TTL minute + INTERVAL 30 DAY
                """,
                """
                CREATE MATERIALIZED VIEW IF NOT EXISTS \(db).social_1m_mv TO \(db).social_1m AS
                SELECT toStartOfMinute(event_time) AS minute, symbol, count() AS mentions, sum(sentiment_score) AS sentiment_sum
                FROM \(db).social_buzz GROUP BY minute, symbol
                """,
            ]),
            Migration(version: 4, name: "sent_at: actual send instant, for the uncorrected end-to-end lag", statements:
                ["raw_signals", "social_buzz", "trades", "book_topn", "user_orders", "frontend_actions"].map {
                    "ALTER TABLE \(db).\($0) ADD COLUMN IF NOT EXISTS sent_at Nullable(DateTime64(6)) AFTER intended_at"
                }),
            // NULL in rows an older pipeline wrote; the stage queries skip those rows. Delta then ZSTD: both instants are
            // constant or near-constant within a batch, so they cost next to nothing on disk.
            Migration(version: 5, name: "fetched_at, insert_sent_at: consumer-side instants for the end-to-end stages", statements:
                stagedTablesBeforeQuotes.flatMap { t in
                    [
                        "ALTER TABLE \(db).\(t) ADD COLUMN IF NOT EXISTS fetched_at Nullable(DateTime64(6)) CODEC(Delta, ZSTD(1)) AFTER sent_at",
                        "ALTER TABLE \(db).\(t) ADD COLUMN IF NOT EXISTS insert_sent_at Nullable(DateTime64(6)) CODEC(Delta, ZSTD(1)) AFTER fetched_at",
                    ]
                }),
            // Freshness queries ("the newest rows of the last 10 s", rsbench's visibility poller every 500 ms) filter on
            // ingested_at, which no sort key covers: without an index each one reads the whole column, a cost that grows
            // with the table. Parts written from now on carry the index; older parts are read as before (no mutation).
            Migration(version: 6, name: "ingested_at minmax index: freshness queries skip old granules", statements:
                stagedTablesBeforeQuotes.map { t in
                    "ALTER TABLE \(db).\(t) ADD INDEX IF NOT EXISTS ingested_at_minmax ingested_at TYPE minmax GRANULARITY 1"
                }),
            // Alert latency split by stage (intended → received → detected → stored by JetStream → webhook sent →
            // answered). NULL in rows an older pipeline wrote, and in stages a row's status has not reached.
            Migration(version: 7, name: "alerts_history stage instants: received, detected, stored, sent, answered", statements:
                alertStageColumns.map { c in
                    "ALTER TABLE \(db).alerts_history ADD COLUMN IF NOT EXISTS \(c) Nullable(DateTime64(6)) CODEC(Delta, ZSTD(1))"
                }),
            // Best bid/offer from MARKET_QUOTES (seed 004 style), born with the columns migrations 4 to 6 add elsewhere.
            // Prices move little from one quote to the next: Gorilla then ZSTD keeps them small.
            Migration(version: 8, name: "quotes: best bid/offer per symbol from market.quotes", statements: [
                """
                CREATE TABLE IF NOT EXISTS \(db).quotes
                (
                    event_time DateTime64(3),
                    symbol LowCardinality(String),
                    exchange LowCardinality(String),
                    bid_price Float64 CODEC(Gorilla, ZSTD(1)),
                    bid_size Nullable(Float64) CODEC(Gorilla, ZSTD(1)),
                    ask_price Float64 CODEC(Gorilla, ZSTD(1)),
                    ask_size Nullable(Float64) CODEC(Gorilla, ZSTD(1)),
                    event_id String,
                    intended_at DateTime64(6) DEFAULT toDateTime64(0, 6),
                    sent_at Nullable(DateTime64(6)),
                    fetched_at Nullable(DateTime64(6)) CODEC(Delta, ZSTD(1)),
                    insert_sent_at Nullable(DateTime64(6)) CODEC(Delta, ZSTD(1)),
                    ingested_at DateTime64(3) DEFAULT now64(3),
                    INDEX ingested_at_minmax ingested_at TYPE minmax GRANULARITY 1
                )
                \(engine(orderBy: "symbol, event_time"))
                """,
            ]),
        ]
    }

    /// The tables whose rows carry `fetched_at` and `insert_sent_at` (migration 5): one row per consumed event or window.
    public static let stagedTables = stagedTablesBeforeQuotes + ["quotes"]
    /// The tables migrations 5 and 6 alter: frozen, since `quotes` (migration 8) is created with those columns.
    static let stagedTablesBeforeQuotes = ["raw_signals", "social_buzz", "trades", "book_topn", "user_orders", "frontend_actions"]

    /// The stage instants of an alert in `alerts_history` (migration 7), in the order the stages happen.
    public static let alertStageColumns = ["received_at", "detected_at", "stored_at", "webhook_sent_at", "answered_at"]

    /// Per-minute rollups for dashboards and the periodic (non-critical) alert evaluator.
    public static let rollupTables = ["market_trades_1m", "market_book_1m", "user_orders_1m", "social_1m"]

    /// The tables the pipeline writes, for counts and checks.
    public static let eventTables = ["raw_signals", "social_buzz", "trades", "book_topn", "quotes", "user_orders", "frontend_actions", "alerts_history", "dead_letters"]
}
