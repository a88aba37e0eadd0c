import JetStream
import RiskSignalCore

/// The copy of a dead-lettered message that goes to `dlq.<consumer>`: its body and headers, cut to fit the server.
///
/// A message just under the server's max payload cannot be copied whole once the DLQ headers are added, so then
/// the body is truncated and headers say so, with the original size and SHA-256: the copy always fits.
struct DeadLetterCopy {
    var payload: [UInt8]
    var headers: [(name: String, value: String)]
    /// What the `dead_letters` row adds to the message's own headers (the truncation, the attempts).
    var rowHeaders: [(name: String, value: String)] = []

    /// Longest header value we send; a ClickHouse message can be long, and NATS headers are single lines.
    static let maxHeaderValue = 1024
    /// Room kept below max payload for the protocol line and rounding.
    static let slack = 256

    init(message m: JetStreamMessage, error: ValidationError, attempts: Int, lastError: String?, eventID: String, maxPayload: Int) {
        var h: [(name: String, value: String)] = [
            (MessageHeader.dlqReason, Self.headerValue(error.description)),
            (MessageHeader.dlqSubject, Self.headerValue(m.subject)),
            (MessageHeader.dlqStreamSequence, String(m.metadata?.streamSequence ?? 0)),
        ]
        if let d = m.metadata?.numDelivered {
            h.append((MessageHeader.dlqDeliveries, String(d)))
            rowHeaders.append((MessageHeader.dlqDeliveries, String(d)))
        }
        if attempts > 0 {
            h.append((MessageHeader.dlqAttempts, String(attempts)))
            rowHeaders.append((MessageHeader.dlqAttempts, String(attempts)))
        }
        if let lastError {
            h.append((MessageHeader.dlqLastError, Self.headerValue(lastError)))
            rowHeaders.append((MessageHeader.dlqLastError, Self.headerValue(lastError)))
        }
        var body = m.payload
        if body.count + Self.headerBytes(h, messageID: eventID) + Self.slack > maxPayload {
            let truncation: [(name: String, value: String)] = [
                (MessageHeader.dlqTruncated, "true"),
                (MessageHeader.dlqOriginalSize, String(body.count)),
                (MessageHeader.dlqOriginalSHA256, SHA256.hex(SHA256.digest(body))),
            ]
            h += truncation
            rowHeaders += truncation
            let room = max(0, maxPayload - Self.headerBytes(h, messageID: eventID) - Self.slack)
            body = Array(body.prefix(room))
        }
        payload = body
        headers = h
    }

    /// Bytes the NATS header block takes: `NATS/1.0\r\n`, `Name: value\r\n` per header (and `Nats-Msg-Id`), `\r\n`.
    static func headerBytes(_ headers: [(name: String, value: String)], messageID: String?) -> Int {
        var n = 10 + 2
        for h in headers { n += h.name.utf8.count + 2 + h.value.utf8.count + 2 }
        if let messageID { n += "Nats-Msg-Id".utf8.count + 2 + messageID.utf8.count + 2 }
        return n
    }

    /// One line, bounded: CR and LF would end the header early.
    static func headerValue(_ s: String) -> String {
        var v = String(s.map { $0 == "\r" || $0 == "\n" ? " " : $0 })
        if v.utf8.count > maxHeaderValue {
            var cut = ""
            for ch in v {
                if cut.utf8.count + ch.utf8.count > maxHeaderValue - 3 { break }
                cut.append(ch)
            }
            v = cut + "..."
        }
        return v
    }
}
