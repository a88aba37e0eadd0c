import JetStream
import RiskSignalCore

/// A full-book snapshot on `market.l2raw.<symbol>`, 10 levels a side of `q` each around 100, at `ms` (also its update
/// id, so updates increase with time): what the alert tests feed the market normaliser.
func bookSnapshot(_ symbol: String, at ms: Int64, depthPerLevel q: Double, intended: Int64) -> OutgoingMessage {
    let bids = (1...10).map { "[\(100 - Double($0) * 0.01),\(q)]" }.joined(separator: ",")
    let asks = (1...10).map { "[\(100 + Double($0) * 0.01),\(q)]" }.joined(separator: ",")
    var headers: [(name: String, value: String)] = []
    if intended > 0 { headers.append((MessageHeader.intendedSendNanos, String(intended))) }
    return OutgoingMessage(subject: "market.l2raw.\(symbol)",
                           text: #"{"symbol":"\#(symbol)","exchange":"sim","type":"snapshot","event_time":\#(ms),"first_update_id":\#(ms),"last_update_id":\#(ms),"bids":[\#(bids)],"asks":[\#(asks)]}"#,
                           headers: headers)
}
