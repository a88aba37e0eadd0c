/// Why a capture could not be read at all (per-line and per-packet problems go to `ReadReport` instead).
public struct CaptureError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, so callers can branch without parsing the message.
    public enum Kind: Sendable, Equatable {
        case cannotOpen
        case io
        case decompression
        case unknownFormat(tried: [CaptureFormat])
        case pcap
        case wrongFormat
        case write
    }

    public var kind: Kind
    public var file: String
    public var message: String

    public init(_ kind: Kind, file: String, _ message: String) {
        self.kind = kind
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
