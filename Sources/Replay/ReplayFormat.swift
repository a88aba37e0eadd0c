/// The feeds `rsbench replay` understands: a container (how messages are stored) joined with an exchange adapter.
public enum ReplayFormat: String, Sendable, CaseIterable {
    case coinbase, binance, binanceFutures = "binance-futures", bitmex, bybit
    /// IEX DEEP or TOPS over IEX-TP, in UDP packets of a pcap.
    case iex
    /// Our own `.ndjson.zst` from `rsbench record`: subjects and payloads replayed as they were.
    case recording
    /// Web access logs (Common/Combined Log Format, or the NASA TSV) as frontend events.
    case accessLog = "access-log"
    /// Social posts, one JSON object a line, mapped field by field.
    case socialJSONL = "social-jsonl"

    /// Picks the exchange from the first messages' JSON: each venue has keys no other one uses.
    static func sniffExchange(_ samples: [[UInt8]]) -> ReplayFormat? {
        var sawBinance = false
        for s in samples {
            let t = String(decoding: s.prefix(600), as: UTF8.self)
            // A logged REST request (before a snapshot) names the API: /fapi and /dapi are futures.
            if t.contains("/fapi/") || t.contains("/dapi/") { return .binanceFutures }
            if t.contains("/api/v3/") { sawBinance = true }
            if t.contains("\"product_id\"") && t.contains("\"type\"") { return .coinbase }
            if t.contains("\"table\"") && (t.contains("\"action\"") || t.contains("orderBookL2") || t.contains("\"trade\"")) { return .bitmex }
            if t.contains("\"topic\"") && (t.contains("orderbook.") || t.contains("publicTrade.")) { return .bybit }
            if t.contains("\"pu\":") { return .binanceFutures }
            if t.contains("\"e\":\"depthUpdate\"") || t.contains("\"lastUpdateId\"") || t.contains("\"e\":\"trade\"")
                || t.contains("\"e\":\"aggTrade\"") || (t.contains("\"u\":") && t.contains("\"B\":") && t.contains("\"A\":")) {
                sawBinance = true
            }
        }
        return sawBinance ? .binance : nil
    }
}
