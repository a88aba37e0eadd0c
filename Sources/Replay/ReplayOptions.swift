import RiskSignalCore

/// How a capture is replayed: which format, how fast, how often, and which part of it.
public struct ReplayOptions: Sendable, Equatable {
    /// `auto`, or one of `ReplayFormat`'s names.
    public var format: String = "auto"
    /// Multiplies the recording's pace (2 = twice as fast).
    public var speed: Double = 1
    /// Ignore the recording's timing and publish as fast as the bus takes it.
    public var topSpeed = false
    /// Caps the rate (events/s) whatever the recording or the speed says.
    public var maxRate: Double?
    /// How many times to play the capture; each later loop has its ids, sequences and times moved on.
    public var loops = 1
    /// Quiet periods in the recording longer than this are shortened to it (before `speed`).
    public var maxGap: Duration?
    /// The window of the recording to play, as offsets from its first message.
    public var from: Duration?
    public var to: Duration?
    /// Only these symbols (market events); nil keeps all.
    public var symbols: Set<String>?
    /// Keep the capture's own event times. By default they are moved so the first message happens now (relative
    /// spacing kept): tables expire rows by event time (30-day TTL) and windows and rollups go by it. Kept times
    /// older than 30 days (or over a day ahead) are dead-lettered by the pipeline with the reason
    /// (`ColumnLimits.eventTime`), not stored and then dropped.
    public var keepTimes = false
    /// For social JSONL: our field → the file's field (`text`, `symbol`, `time`, `author`, `source`, `language`, `id`).
    public var socialFields: [String: String] = [:]
    /// Message ids of this replay: per run (recorded ids suffixed with the run's nonce) or as recorded (`--repeatable-ids`).
    public var ids: EventIDPolicy = .repeatable
    /// The venue symbol (`BTCUSDT`) of bare REST depth snapshots that nothing else in the recording places.
    public var symbol: String?
    /// Where recorded messages may go besides the pipeline's own subjects (`--allow-subjects`).
    public var subjects = SubjectAllowList()

    public init() {}
}

/// What a replay could not use: where (line, packet, message) and why.
public struct ReplayProblem: Sendable, CustomStringConvertible {
    public var location: String
    public var reason: String
    public var description: String { "\(location): \(reason)" }
}

/// Errors that stop a replay before it starts, each naming the file and what to do.
public enum ReplayError: Error, Sendable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case unknownFormat(file: String, tried: [String])
    case badOption(name: String, reason: String)
    case empty(file: String, reason: String)
    /// A recorded subject the replay may not publish to, found before anything was published.
    case refusedSubject(file: String, location: String, subject: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let f, let r): "\(f): \(r)"
        case .unknownFormat(let f, let tried):
            "\(f): cannot tell the format from its content (tried \(tried.joined(separator: ", "))); pass --format with one of \(ReplayFormat.allCases.map(\.rawValue).joined(separator: ", "))"
        case .badOption(let n, let r): "\(n): \(r)"
        case .empty(let f, let r): "\(f): nothing to replay (\(r))"
        case .refusedSubject(let f, let at, let subject, let r):
            "\(f): \(at): subject \"\(subject)\" refused: \(r). Nothing was published."
        }
    }
}
