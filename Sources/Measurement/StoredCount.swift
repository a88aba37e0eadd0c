import ClickHouse
import RiskSignalCore

/// What the stage after a generator's stream holds, counted so that it compares 1:1 with what was published.
public enum StoredCount {
    /// Distinct events in the kind's table (frontend beacons by their session and sequence, since a beacon becomes
    /// several rows), or, for books, which are windowed, the messages the market normaliser received.
    public static func of(_ kind: FeedKind, ch: ClickHouseClient, metrics: PipelineMetrics?) async throws -> UInt64? {
        switch kind {
        case .trades, .quotes, .orders, .social, .signals:
            return UInt64(try await ch.scalarInt("SELECT uniqExact(event_id) FROM \(kind.tableName)"))
        case .frontend:
            return UInt64(try await ch.scalarInt("SELECT uniqExact(arrayStringConcat(arraySlice(splitByChar(':', event_id), 1, 2), ':')) FROM \(kind.tableName)"))
        case .l2:
            return metrics?.receivedByConsumer[kind.consumerName].map { UInt64($0) } ?? 0
        }
    }
}
