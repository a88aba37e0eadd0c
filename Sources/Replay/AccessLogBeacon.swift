import Capture
import RiskSignalCore

/// Turns one web-server log line into a frontend beacon (what the frontend consumer stores as one action row).
enum AccessLogBeacon {
    /// Where the beacons go: the subject the frontend generator uses too.
    static let subject = FeedKind.frontend.subjectPrefix + "web"

    static func payload(_ e: AccessLogEntry, timeNanos: Int64? = nil) -> [UInt8] {
        let ms = (timeNanos ?? e.timeNanos) / 1_000_000
        // A visitor's host stands in for the session: the log has no session ids, and one host is one browser here.
        let session = "host-" + e.host
        let user = StableHash.fnv1a(e.host.utf8) % 1_000_000
        let type = e.status >= 400 ? "http_error" : "page_view"
        var s = "{\"session_id\":" + JSONText.quoted(String(session.prefix(120)))
        s += ",\"user_id\":\(user),\"sent_at\":\(ms),\"events\":[{\"event_time\":\(ms)"
        s += ",\"event_type\":\"\(type)\",\"element\":" + JSONText.quoted(e.method)
        s += ",\"properties\":{\"page\":" + JSONText.quoted(String(e.path.prefix(1024))) + ",\"status\":\(e.status),\"bytes\":\(e.bytes)"
        if let r = e.referer, !r.isEmpty, r != "-" { s += ",\"referer\":" + JSONText.quoted(String(r.prefix(512))) }
        s += "},\"event_id\":\"access-\(e.line)\"}],\"event_id\":\"access-\(e.line)\"}"
        return Array(s.utf8)
    }
}
