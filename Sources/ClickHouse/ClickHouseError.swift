import Foundation
import RiskSignalCore

/// A failure from ClickHouse or on the way to it, classified as worth retrying or not.
public enum ClickHouseError: Error, Sendable, CustomStringConvertible {
    /// The server answered with `Code: N. DB::Exception: …`.
    case server(code: Int, name: String?, message: String, query: String)
    /// The server could not be reached (refused, reset, DNS).
    case unreachable(url: String, detail: String)
    /// No answer within the deadline.
    case timeout(url: String, after: Duration)
    /// An HTTP error without ClickHouse's error format (a proxy, a wrong URL).
    case http(status: Int, body: String, url: String)
    /// The response could not be read as the requested format.
    case malformedResponse(String)

    /// Credentials in URLs and in transport texts are masked (`ConnectionConfig.redacted`).
    public var description: String { ConnectionConfig.redacted(plainDescription) }

    private var plainDescription: String {
        switch self {
        case .server(let code, let name, let message, let query):
            "ClickHouse error \(code)\(name.map { " (\($0))" } ?? ""): \(message)\(query.isEmpty ? "" : " — query: \(query.prefix(160))")"
        case .unreachable(let url, let detail):
            "cannot reach ClickHouse at \(url): \(detail). Is it running? Start the local stack with `rsbench stack up` or set CLICKHOUSE_URL."
        case .timeout(let url, let after):
            "ClickHouse at \(url) did not answer within \(after)"
        case .http(let status, let body, let url):
            "HTTP \(status) from \(url): \(body.prefix(300))"
        case .malformedResponse(let m):
            "unreadable ClickHouse response: \(m)"
        }
    }

    /// The server's error code, when it sent one.
    public var code: Int? {
        if case .server(let code, _, _, _) = self { return code }
        return nil
    }

    /// Whether the same request may succeed later (server busy or down), as opposed to a bad request.
    public var isRetryable: Bool {
        switch self {
        case .unreachable, .timeout: true
        case .http(let status, _, _): status >= 500 || status == 429 || status == 408
        case .server(let code, _, _, _): Self.retryableCodes.contains(code)
        case .malformedResponse: false
        }
    }

    /// What this failure means for the batch that caused it: the one classification the consumers act on.
    public var insertFailure: InsertFailure {
        switch self {
        case .unreachable, .timeout: return .unavailable
        case .http(let status, _, _): return status >= 500 || status == 429 || status == 408 ? .unavailable : .rejected
        case .malformedResponse: return .rejected
        case .server(let code, _, let message, _):
            if code == 252, Self.isPartitionLimit(message) { return .tooManyPartitions }
            if Self.dataErrorCodes.contains(code) { return .badRows }
            if Self.retryableCodes.contains(code) { return .transient }
            return .rejected
        }
    }

    /// Whether a 252 is the per-insert partition limit (`max_partitions_per_insert_block`), which the batch causes,
    /// rather than too many active parts (merges behind), which waiting fixes.
    static func isPartitionLimit(_ message: String) -> Bool {
        let m = message.lowercased()
        return m.contains("partitions for single insert block") || m.contains("max_partitions_per_insert_block")
    }

    /// Codes raised by a value in some row (parse and type errors): the rest of the batch is fine.
    static let dataErrorCodes: Set<Int> = [
        6,    // CANNOT_PARSE_TEXT
        25,   // CANNOT_PARSE_ESCAPE_SEQUENCE
        26,   // CANNOT_PARSE_QUOTED_STRING
        27,   // CANNOT_PARSE_INPUT_ASSERTION_FAILED
        32,   // ATTEMPT_TO_READ_AFTER_EOF
        33,   // CANNOT_READ_ALL_DATA
        38,   // CANNOT_PARSE_DATE
        41,   // CANNOT_PARSE_DATETIME
        53,   // TYPE_MISMATCH
        69,   // ARGUMENT_OUT_OF_BOUND
        70,   // CANNOT_CONVERT_TYPE
        72,   // CANNOT_PARSE_NUMBER
        117,  // INCORRECT_DATA
        130,  // CANNOT_READ_ARRAY_FROM_TEXT
        131,  // TOO_LARGE_STRING_SIZE
        190,  // SIZES_OF_ARRAYS_DONT_MATCH
        321,  // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
        349,  // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
        376,  // CANNOT_PARSE_UUID
        377,  // ILLEGAL_SYNTAX_FOR_DATA_TYPE
        395,  // FUNCTION_THROW_IF_VALUE_IS_NON_ZERO
        407,  // DECIMAL_OVERFLOW
        441,  // CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING
        457,  // a value out of its type's range (kept from the earlier list)
        469,  // VIOLATED_CONSTRAINT
        691,  // UNKNOWN_ELEMENT_OF_ENUM
    ]

    /// Codes that describe a transient server condition rather than a bad query or bad data.
    static let retryableCodes: Set<Int> = [
        3,    // UNEXPECTED_END_OF_FILE (connection cut mid-body)
        159,  // TIMEOUT_EXCEEDED
        164,  // READONLY (replica temporarily read-only)
        202,  // TOO_MANY_SIMULTANEOUS_QUERIES
        203,  // NO_FREE_CONNECTION
        209,  // SOCKET_TIMEOUT
        210,  // NETWORK_ERROR
        236,  // ABORTED
        241,  // MEMORY_LIMIT_EXCEEDED
        242,  // TABLE_IS_READ_ONLY
        252,  // TOO_MANY_PARTS
        285,  // TOO_FEW_LIVE_REPLICAS
        319,  // UNKNOWN_STATUS_OF_INSERT
        394,  // QUERY_WAS_CANCELLED
        425,  // SYSTEM_ERROR
        439,  // CANNOT_SCHEDULE_TASK
        999,  // KEEPER_EXCEPTION
        1000, // POCO_EXCEPTION
    ]

    /// Parses ClickHouse's error text (`Code: 60. DB::Exception: Table x does not exist. (UNKNOWN_TABLE) (version …)`).
    static func parse(status: Int, body: String, headerCode: String?, query: String, url: String) -> ClickHouseError {
        var code = headerCode.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        var message = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if let r = message.range(of: "Code: ") {
            let digits = message[r.upperBound...].prefix { $0.isNumber }
            if code == nil { code = Int(digits) }
        }
        if let r = message.range(of: "DB::Exception: ") { message = String(message[r.upperBound...]) }
        var name: String?
        // The trailing "(NAME) (version x)" carries the symbolic name.
        if let v = message.range(of: " (version ", options: .backwards) { message = String(message[..<v.lowerBound]) }
        if message.hasSuffix(")"), let open = message.range(of: " (", options: .backwards) {
            let candidate = message[open.upperBound..<message.index(before: message.endIndex)]
            if !candidate.isEmpty, candidate.allSatisfy({ $0.isUppercase || $0 == "_" || $0.isNumber }) {
                name = String(candidate)
                message = String(message[..<open.lowerBound])
            }
        }
        if message.hasSuffix(".") { message.removeLast() }
        guard let code else { return .http(status: status, body: body, url: url) }
        return .server(code: code, name: name, message: message, query: query)
    }
}

/// What a failed insert means for its batch, and so what a consumer does next.
public enum InsertFailure: Sendable, Equatable {
    /// The server is down, unreachable or not answering: nothing is wrong with the batch; wait and retry, however long.
    case unavailable
    /// A transient server condition (memory, too many queries, network inside the cluster): retry with backoff,
    /// a bounded number of times, then treat the batch as suspect.
    case transient
    /// A value in some row cannot be stored (parse or type error): split the batch to find the row.
    case badRows
    /// The batch spans more partitions than one insert may create (252): split it by partition.
    case tooManyPartitions
    /// The request itself is refused (unknown table, syntax, permissions): retrying the same batch fails the same way.
    case rejected
}
