import Foundation
import RiskSignalCore

/// Reads lines of our recording format (see `RecordingFormat`).
struct RecordingParser: LineParser {
    func parse(_ line: [UInt8], lineNumber: Int) -> LineOutcome {
        var version: Int64?
        var ts: Int64?
        var subject: String?
        var headers: [(String, String)]?
        var payload: [UInt8]?
        var isText = true
        var b64Failed = false
        var badHeaders = false
        let failure: JSONScanError? = line.withUnsafeBytes { buf in
            let json = JSONScanner(buf)
            do throws(JSONScanError) {
                for f in try json.rootFields() {
                    if try json.keyEquals(f, "v"), let r = json.numberRange(f.value) {
                        version = Timestamps.integer(line[r])
                    } else if try json.keyEquals(f, "t"), let r = json.numberRange(f.value) {
                        ts = Timestamps.integer(line[r])
                    } else if try json.keyEquals(f, "subject"), json.isString(f.value) {
                        subject = String(decoding: try json.stringBytes(at: f.value), as: UTF8.self)
                    } else if try json.keyEquals(f, "headers"), json.isObject(f.value) {
                        var h: [(String, String)] = []
                        badHeaders = false
                        for m in try json.fields(f.value) {
                            if json.isString(m.value) {
                                h.append((try json.key(m), String(decoding: try json.stringBytes(at: m.value), as: UTF8.self)))
                            } else {
                                badHeaders = true
                            }
                        }
                        headers = h
                    } else if try json.keyEquals(f, "payload"), json.isString(f.value) {
                        payload = try json.stringBytes(at: f.value)
                    } else if try json.keyEquals(f, "payload_b64"), json.isString(f.value) {
                        let s = try json.stringBytes(at: f.value)
                        if let d = Data(base64Encoded: Data(s)) { payload = [UInt8](d); isText = false } else { b64Failed = true }
                    }
                }
                return nil
            } catch {
                return error
            }
        }
        if let failure { return .bad("invalid recording line: \(failure.message) at byte \(failure.offset)") }
        guard version == 1 else { return .bad("expected \"v\":1 (recording format version)") }
        guard let ts else { return .bad("missing integer \"t\" (receive nanoseconds)") }
        if b64Failed { return .bad("\"payload_b64\" is not valid base64") }
        guard let payload else { return .bad("missing \"payload\" or \"payload_b64\"") }
        if badHeaders { return .bad("\"headers\" must be an object of strings") }
        return .message(CapturedMessage(timestampNanos: ts, payload: payload, origin: .line(lineNumber),
                                        isText: isText, subject: subject, headers: headers ?? []))
    }
}
