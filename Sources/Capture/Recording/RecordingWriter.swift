import RiskSignalCore
import Foundation
import Zstd

/// Writes our `.ndjson.zst` recording format (see `RecordingFormat`) incrementally.
public final class RecordingWriter {
    private let file: ZstdFileWriter
    private var pending: [UInt8] = []
    public let path: String
    public private(set) var written = 0

    public init(path: String, level: Int32 = 3) throws(CaptureError) {
        do {
            file = try ZstdFileWriter(path: path, level: level)
        } catch {
            throw CaptureError(.write, file: path, "cannot create recording: \(error)")
        }
        self.path = path
        pending.reserveCapacity(128 * 1024)
    }

    /// Appends one message line.
    public func write(receiveNanos: Int64, subject: String, headers: [(String, String)] = [], payload: [UInt8]) throws(CaptureError) {
        pending.append(contentsOf: RecordingFormat.linePrefix)
        pending.append(contentsOf: Array("\"t\":\(receiveNanos),\"subject\":".utf8))
        JSONBytes.appendQuoted(subject.utf8, to: &pending)
        pending.append(contentsOf: Array(",\"headers\":{".utf8))
        for (i, (k, v)) in headers.enumerated() {
            if i > 0 { pending.append(UInt8(ascii: ",")) }
            JSONBytes.appendQuoted(k.utf8, to: &pending)
            pending.append(UInt8(ascii: ":"))
            JSONBytes.appendQuoted(v.utf8, to: &pending)
        }
        pending.append(UInt8(ascii: "}"))
        if String(validating: payload, as: UTF8.self) != nil {
            pending.append(contentsOf: Array(",\"payload\":".utf8))
            JSONBytes.appendQuoted(payload, to: &pending)
        } else {
            pending.append(contentsOf: Array(",\"payload_b64\":\"".utf8))
            pending.append(contentsOf: Array(Data(payload).base64EncodedString().utf8))
            pending.append(UInt8(ascii: "\""))
        }
        pending.append(contentsOf: Array("}\n".utf8))
        written += 1
        if pending.count >= 64 * 1024 { try flush() }
    }

    /// Appends a captured message under `subject` (or its own subject when it has one).
    public func write(_ message: CapturedMessage, subject: String? = nil) throws(CaptureError) {
        try write(receiveNanos: message.timestampNanos, subject: subject ?? message.subject ?? "",
                  headers: message.headers, payload: message.payload)
    }

    /// Writes what is buffered and ends the zstd frame; the file is complete only after this.
    public func close() throws(CaptureError) {
        try flush()
        do { try file.close() } catch { throw CaptureError(.write, file: path, "cannot finish recording: \(error)") }
    }

    private func flush() throws(CaptureError) {
        guard !pending.isEmpty else { return }
        do { try file.write(pending) } catch { throw CaptureError(.write, file: path, "write failed: \(error)") }
        pending.removeAll(keepingCapacity: true)
    }
}
