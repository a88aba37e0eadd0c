import CNATS
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import RiskSignalCore

/// A failure talking to NATS or JetStream, with the server or operation named.
public enum NATSError: Error, Sendable, CustomStringConvertible {
    /// No server in the list could be reached.
    case connect(urls: [String], status: String, detail: String)
    /// A libnats call failed; `jsCode` is JetStream's API error code when the server gave one.
    case operation(String, status: String, detail: String, jsCode: Int)
    /// Publishing stalled: the in-flight window stayed full past the deadline.
    case publishStalled(pending: Int, waited: Duration)
    case invalidArgument(String)

    /// Credentials in URLs and in libnats' own texts are masked (`ConnectionConfig.redacted`).
    public var description: String { ConnectionConfig.redacted(plainDescription) }

    private var plainDescription: String {
        switch self {
        case .connect(let urls, let status, let detail):
            "cannot connect to NATS at \(urls.joined(separator: ",")): \(status)\(detail.isEmpty ? "" : " (\(detail))"). Is nats-server running? Start the local stack with `rsbench stack up` or set NATS_URL."
        case .operation(let op, let status, let detail, let code):
            "\(op) failed: \(status)\(code != 0 ? " [JetStream error \(code)]" : "")\(detail.isEmpty ? "" : " (\(detail))")"
        case .publishStalled(let pending, let waited):
            "publishing stalled: \(pending) messages awaiting JetStream acks for \(waited); the server is not acknowledging"
        case .invalidArgument(let m):
            m
        }
    }

    /// JetStream's "stream name already in use" (10058).
    static let streamNameExists = 10058

    public var jetStreamCode: Int {
        if case .operation(_, _, _, let code) = self { return code }
        return 0
    }

    static func check(_ s: natsStatus, _ op: @autoclosure () -> String, jsCode: jsErrCode = jsErrCode(rawValue: 0)) throws(NATSError) {
        guard s != NATS_OK else { return }
        throw .operation(op(), status: statusText(s), detail: lastErrorText(), jsCode: Int(jsCode.rawValue))
    }

    static func statusText(_ s: natsStatus) -> String {
        natsStatus_GetText(s).map { String(cString: $0) } ?? "status \(s.rawValue)"
    }

    static func lastErrorText() -> String {
        var st = NATS_OK
        guard let p = nats_GetLastError(&st) else { return "" }
        return String(cString: p)
    }
}
