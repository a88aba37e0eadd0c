import ClickHouse
import RiskSignalCore

/// Writes the consumer-side instants of the end-to-end stages into each JSONEachRow row of a batch as it is sent:
/// `fetched_at` (the last fetch among the row's inputs) and `insert_sent_at` (the send of the attempt that stores it).
///
/// Stamped here rather than by the encoders because the send instant is only known at the insert, and because a
/// retried or split insert is sent again: the row records the attempt that stored it.
struct StageStamp: Sendable {
    /// Per row, in row order: the latest fetch instant (ns since epoch) of the row's inputs; 0 when none is known.
    var fetchedNanos: [Int64]

    init(fetchedNanos: [Int64]) { self.fetchedNanos = fetchedNanos }

    /// The stamp for one table of a handler's output, or nil when the table has no stage columns.
    /// A row whose inputs are unknown (a row built from state) gets `fetched_at` NULL.
    static func of(_ table: String, in output: HandlerOutput) -> StageStamp? {
        guard SchemaMigrations.stagedTables.contains(table), let batch = output.rows[table] else { return nil }
        guard let groups = output.sources(of: table) else { return StageStamp(fetchedNanos: Array(repeating: 0, count: batch.rowCount)) }
        // A window's row exists only once its last input arrived, so that fetch is where its batch wait starts.
        let latest: [Int64] = output.sources.map { inputs in inputs.reduce(Int64(0)) { acc, m in max(acc, m.fetchedAt.nanosSinceEpoch) } }
        return StageStamp(fetchedNanos: groups.map { g in g >= 0 && Int(g) < latest.count ? latest[Int(g)] : 0 })
    }

    /// The stamp of some of the rows (a piece of a split batch), by their indices in the full batch.
    func subset(_ rows: [Int]) -> StageStamp {
        StageStamp(fetchedNanos: rows.map { $0 < fetchedNanos.count ? fetchedNanos[$0] : 0 })
    }

    /// A copy of `batch` with both instants first in every row; rows are left as they are if the counts disagree.
    func apply(to batch: InsertBatch, sentAt: Timestamp) -> InsertBatch {
        let sent = Array("\"insert_sent_at\":\"\(sentAt.clickHouseDateTime64Micro)\"".utf8)
        let perRowFetched = fetchedNanos.count == batch.rowCount
        var out = InsertBatch(reservingBytes: batch.bytes.count + batch.rowCount * (sent.count + 44))
        // Rows of one fetch share an instant, so its text is made once per run of equal instants.
        var lastNanos: Int64 = 0
        var lastText: [UInt8] = []
        var row = 0
        var line: [UInt8] = []
        var start = 0
        let bytes = batch.bytes
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            line.removeAll(keepingCapacity: true)
            if bytes[start] == UInt8(ascii: "{") {
                line.append(UInt8(ascii: "{"))
                let fetched = perRowFetched ? fetchedNanos[row] : 0
                if fetched > 0 {
                    if fetched != lastNanos {
                        lastNanos = fetched
                        lastText = Array("\"fetched_at\":\"\(Timestamp(nanosSinceEpoch: fetched).clickHouseDateTime64Micro)\",".utf8)
                    }
                    line += lastText
                }
                line += sent
                // An empty object takes the stamp alone; any other row keeps its fields after a comma.
                if start + 1 < end && bytes[start + 1] != UInt8(ascii: "}") { line.append(UInt8(ascii: ",")) }
                line += bytes[(start + 1)..<end]
            } else {
                line += bytes[start..<end]
            }
            out.append(rowBytes: line)
            row += 1
            start = end + 1
        }
        return out
    }
}
