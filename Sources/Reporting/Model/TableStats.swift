/// Insert statistics for one ClickHouse table over the measured window.
public struct TableStats: Codable, Sendable, Equatable {
    public var table: String
    /// Rows inserted during the measured window.
    public var rows: UInt64
    /// Rows inserted per second (rows ÷ duration).
    public var rowsPerSecond: Double
    /// Compressed bytes on disk for the rows (system.parts `bytes_on_disk`).
    public var bytesOnDisk: UInt64
    /// Uncompressed bytes (system.parts `data_uncompressed_bytes`).
    public var uncompressedBytes: UInt64
    /// Active parts at the end of the run; a rising count means merges fall behind.
    public var activeParts: Int
    /// Uncompressed bytes of the measured window's rows per second (the table's own bytes per row, pro rata).
    public var bytesPerSecond: Double = 0
    /// `ingested_at` − intended send of the measured window's rows.
    public var e2eLag: LatencySummary?
    /// `ingested_at` − actual send; nil for tables whose rows aggregate several sends (book_topn).
    public var e2eLagUncorrected: LatencySummary?

    /// uncompressed ÷ on-disk bytes; 0 when nothing is on disk.
    public var compressionRatio: Double {
        bytesOnDisk == 0 ? 0 : Double(uncompressedBytes) / Double(bytesOnDisk)
    }

    public init(table: String, rows: UInt64, rowsPerSecond: Double, bytesOnDisk: UInt64, uncompressedBytes: UInt64, activeParts: Int) {
        self.table = table
        self.rows = rows
        self.rowsPerSecond = rowsPerSecond
        self.bytesOnDisk = bytesOnDisk
        self.uncompressedBytes = uncompressedBytes
        self.activeParts = activeParts
    }

    private enum CodingKeys: String, CodingKey {
        case table, rows, rowsPerSecond, bytesOnDisk, uncompressedBytes, activeParts, compressionRatio, bytesPerSecond, e2eLag, e2eLagUncorrected
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        table = try c.decode(String.self, forKey: .table)
        rows = try c.decode(UInt64.self, forKey: .rows)
        rowsPerSecond = try c.decode(Double.self, forKey: .rowsPerSecond)
        bytesOnDisk = try c.decode(UInt64.self, forKey: .bytesOnDisk)
        uncompressedBytes = try c.decode(UInt64.self, forKey: .uncompressedBytes)
        activeParts = try c.decode(Int.self, forKey: .activeParts)
        bytesPerSecond = try c.decodeIfPresent(Double.self, forKey: .bytesPerSecond) ?? 0
        e2eLag = try c.decodeIfPresent(LatencySummary.self, forKey: .e2eLag)
        e2eLagUncorrected = try c.decodeIfPresent(LatencySummary.self, forKey: .e2eLagUncorrected)
    }

    // The ratio is derived, but written out so JSON consumers need not recompute it.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(table, forKey: .table)
        try c.encode(rows, forKey: .rows)
        try c.encode(rowsPerSecond, forKey: .rowsPerSecond)
        try c.encode(bytesOnDisk, forKey: .bytesOnDisk)
        try c.encode(uncompressedBytes, forKey: .uncompressedBytes)
        try c.encode(activeParts, forKey: .activeParts)
        try c.encode(compressionRatio, forKey: .compressionRatio)
        try c.encode(bytesPerSecond, forKey: .bytesPerSecond)
        try c.encodeIfPresent(e2eLag, forKey: .e2eLag)
        try c.encodeIfPresent(e2eLagUncorrected, forKey: .e2eLagUncorrected)
    }
}
