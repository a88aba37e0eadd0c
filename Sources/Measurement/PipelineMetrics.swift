/// The pipeline counters rsbench reads each second from Prometheus text.
public struct PipelineMetrics: Sendable {
    public var rowsByTable: [String: Double] = [:]
    public var pendingByConsumer: [String: Double] = [:]
    public var ackPendingByConsumer: [String: Double] = [:]
    public var receivedByConsumer: [String: Double] = [:]
    public var deadLettered: Double = 0
    /// Order-book sequence gaps the market normaliser detected (each forces a resync).
    public var sequenceGaps: Double = 0

    public init(prometheusText: String) {
        for line in prometheusText.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let name = line[..<space]
            func label(_ key: String) -> String? {
                guard let r = name.range(of: "\(key)=\"") else { return nil }
                return String(name[r.upperBound...].prefix { $0 != "\"" })
            }
            if name.hasPrefix("risksignal_rows_inserted_total"), let t = label("table") { rowsByTable[t, default: 0] += value }
            else if name.hasPrefix("risksignal_consumer_pending"), let c = label("consumer") { pendingByConsumer[c] = value }
            else if name.hasPrefix("risksignal_consumer_ack_pending"), let c = label("consumer") { ackPendingByConsumer[c] = value }
            else if name.hasPrefix("risksignal_messages_received_total"), let c = label("consumer") { receivedByConsumer[c] = value }
            else if name.hasPrefix("risksignal_dlq_total") { deadLettered += value }
            else if name.hasPrefix("risksignal_market_sequence_gaps_total") { sequenceGaps += value }
        }
    }

    public var totalRows: Double { rowsByTable.values.reduce(0, +) }
}
