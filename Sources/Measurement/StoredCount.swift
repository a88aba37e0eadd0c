import ClickHouse

/// What the stage after a generator's stream holds, counted so that it compares 1:1 with what was published.
public enum StoredCount {
    /// Distinct events in the kind's table (frontend beacons by their session and sequence, since a beacon becomes
    /// several rows), or, for books, which are windowed, the messages the market normaliser received.
    /// nil for kinds with no 1:1 stage.
    public static func of(_ kind: String, ch: ClickHouseClient, metrics: PipelineMetrics?) async throws -> UInt64? {
        switch kind {
        case "trades", "orders", "social", "signals":
            return UInt64(try await ch.scalarInt("SELECT uniqExact(event_id) FROM \(FeedRoute.of(kind)!.table)"))
        case "frontend":
            return UInt64(try await ch.scalarInt("SELECT uniqExact(arrayStringConcat(arraySlice(splitByChar(':', event_id), 1, 2), ':')) FROM frontend_actions"))
        case "l2":
            return metrics?.receivedByConsumer["market"].map { UInt64($0) } ?? 0
        default:
            return nil
        }
    }
}
