/// Our own recording format, `.ndjson.zst` — one JSON object per line, zstd-compressed as a stream:
///
///     {"v":1,"t":<receive ns, integer>,"subject":"<subject>","headers":{"<k>":"<v>",...},"payload":"<UTF-8 text>"}
///
/// `"payload_b64":"<base64>"` replaces `"payload"` when the payload is not valid UTF-8. Keys are written in
/// this order (detection looks for the `{"v":1,` prefix) but read in any order; unknown keys are ignored so
/// later versions can add fields. Repeated header names keep their order.
public enum RecordingFormat {
    public static let version = 1
    /// The bytes every line starts with, as written.
    static let linePrefix: [UInt8] = Array("{\"v\":1,".utf8)
}
