import RiskSignalCore

/// cryptofeed v3 JSONL: `{"t":"recv","ts":<float s>,"data":"<frame as a JSON string>"}`; send/connect counted.
struct CryptofeedV3Parser: LineParser {
    func parse(_ line: [UInt8], lineNumber: Int) -> LineOutcome {
        var kind: [UInt8]?
        var ts: Int64?
        var data: [UInt8]?
        let failure: JSONScanError? = line.withUnsafeBytes { buf in
            let json = JSONScanner(buf)
            do throws(JSONScanError) {
                for f in try json.rootFields() {
                    // The last of duplicate keys wins, as before.
                    if try json.keyEquals(f, "t"), json.isString(f.value) {
                        kind = try json.stringBytes(at: f.value)
                    } else if try json.keyEquals(f, "ts"), let r = json.numberRange(f.value) {
                        ts = Timestamps.secondsToNanos(line[r])
                    } else if try json.keyEquals(f, "data"), json.isString(f.value) {
                        data = try json.stringBytes(at: f.value)
                    }
                }
                return nil
            } catch {
                return error
            }
        }
        if let failure { return .bad("invalid JSON envelope: \(failure.message) at byte \(failure.offset)") }
        guard let kind else { return .bad("envelope has no string \"t\"") }
        let k = String(decoding: kind, as: UTF8.self)
        guard k == "recv" else { return .counted(k) }
        guard let ts else { return .bad("recv envelope has no numeric \"ts\"") }
        guard let data else { return .bad("recv envelope has no string \"data\"") }
        return .message(CapturedMessage(timestampNanos: ts, payload: data, origin: .line(lineNumber)))
    }
}
