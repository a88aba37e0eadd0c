import ClickHouse
import Reporting

/// Active parts, rows and bytes of each table of a database, from `system.parts`.
public struct TableStorage: Sendable, Equatable {
    public var rows: UInt64
    public var bytesOnDisk: UInt64
    public var uncompressedBytes: UInt64
    public var activeParts: Int

    public static func read(_ ch: ClickHouseClient, database: String) async throws -> [String: TableStorage] {
        let rows = try await ch.rows("""
            SELECT table, sum(rows) AS rows, sum(bytes_on_disk) AS disk, sum(data_uncompressed_bytes) AS raw, count() AS parts
            FROM system.parts WHERE database = '\(database)' AND active GROUP BY table
            """)
        var out: [String: TableStorage] = [:]
        for r in rows {
            guard case .string(let t)? = r["table"] else { continue }
            let n = { (k: String) in ClickHouseValues.number(r[k]) ?? 0 }
            out[t] = TableStorage(rows: UInt64(n("rows")), bytesOnDisk: UInt64(n("disk")), uncompressedBytes: UInt64(n("raw")), activeParts: Int(n("parts")))
        }
        return out
    }
}
