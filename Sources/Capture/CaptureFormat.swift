/// The capture formats `CaptureReader` understands; detected from content or given explicitly.
public enum CaptureFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    case pcap
    case pcapng
    /// `<ns timestamp> <json>` per line.
    case nsLines
    case cryptofeedV1
    case cryptofeedV3
    /// Our `.ndjson.zst` recording (`RecordingFormat`).
    case recording
    /// Common/Combined Log Format.
    case accessLog
    case nasaTSV
    case jsonl

    public var description: String { rawValue }

    var isPacketCapture: Bool { self == .pcap || self == .pcapng }
}
