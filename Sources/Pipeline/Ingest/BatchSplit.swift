import ClickHouse

/// How a batch ClickHouse refused is cut into smaller inserts: by partition for the partition limit, else in halves.
enum BatchSplit {
    /// Part of a refused batch: row indices, a label that extends the deduplication token, and its attempt budget.
    struct Piece {
        var rows: [Int]
        var label: String
        var budget: Int
    }

    /// Partitions per insert when splitting a 252: well under ClickHouse's default `max_partitions_per_insert_block` (100).
    static let partitionsPerPiece = 50

    /// The pieces to try after `error`: chunks of at most `partitionsPerPiece` partition keys for the partition
    /// limit (when the rows span more than one), otherwise two halves. A transient error that used up its budget
    /// gives the halves one attempt each, so a split ends after at most two inserts per row.
    static func pieces(_ rows: [Int], label: String, after error: ClickHouseError, budget: Int,
                       ranges: [Range<Int>], bytes: [UInt8]) -> [Piece] {
        if error.insertFailure == .tooManyPartitions {
            var order: [[UInt8]] = []
            var byKey: [[UInt8]: [Int]] = [:]
            for r in rows {
                let k = partitionKey(bytes[ranges[r]])
                if byKey[k] == nil { order.append(k) }
                byKey[k, default: []].append(r)
            }
            if order.count > 1 {
                var out: [Piece] = []
                var i = 0
                while i < order.count {
                    let keys = order[i..<min(order.count, i + partitionsPerPiece)]
                    out.append(Piece(rows: keys.flatMap { byKey[$0]! }, label: "\(label)p\(out.count)", budget: budget))
                    i += partitionsPerPiece
                }
                if out.count > 1 { return out }
            }
        }
        let half = rows.count / 2
        let next = error.insertFailure == .transient ? 1 : budget
        return [Piece(rows: Array(rows[half...]), label: label + "b", budget: next),
                Piece(rows: Array(rows[..<half]), label: label + "a", budget: next)]
    }

    /// A key at least as fine as the pipeline tables' partitions (`toYYYYMM(event_time)`): the `YYYY-MM` of a text
    /// `event_time`, or the leading digits of a numeric one (buckets of 10⁶ s or less for s/ms epochs, finer than a month).
    static func partitionKey(_ row: ArraySlice<UInt8>) -> [UInt8] {
        let marker = Array("\"event_time\":".utf8)
        guard row.count >= marker.count else { return [] }
        var i = row.startIndex
        while i + marker.count <= row.endIndex {
            if row[i] == marker[0], row[i..<(i + marker.count)].elementsEqual(marker) {
                var v = i + marker.count
                if v < row.endIndex, row[v] == UInt8(ascii: "\"") { v += 1 }
                return Array(row[v..<min(row.endIndex, v + 7)])
            }
            i += 1
        }
        return []
    }
}
