import FeedAdapters
import RiskSignalCore

/// One message of a capture, ready to publish: a normalised market event, or a subject and payload as recorded.
public struct ReplayItem: Sendable {
    public enum Body: Sendable {
        case market(NormalizedEvent)
        /// Payload published as is; `eventID` becomes the message id.
        case raw(subject: String, payload: [UInt8], eventID: String, kind: String)
        /// A payload built at send time from the event time it should carry (access-log beacons, social posts).
        case timed(subject: String, eventID: String, feed: FeedKind, render: @Sendable (Int64) -> [UInt8])
    }

    /// When the message was received or logged in the capture, ns since the epoch.
    public var timeNanos: Int64
    public var body: Body

    public init(timeNanos: Int64, body: Body) {
        self.timeNanos = timeNanos
        self.body = body
    }

    /// `l2`, `trades`, `quotes`, `frontend`, `social` or `recorded`: the counts a replay reports.
    public var kind: String {
        switch body {
        case .market(.quote): "quotes"
        case .market(.book): FeedKind.l2.rawValue
        case .market(.trade): FeedKind.trades.rawValue
        case .raw(_, _, _, let k): k
        case .timed(_, _, let f, _): f.rawValue
        }
    }

    /// The feed this message goes into, nil for quotes (no consumer yet) and recorded messages (subjects as captured).
    public var feed: FeedKind? {
        switch body {
        case .market(.book): .l2
        case .market(.trade): .trades
        case .market(.quote), .raw: nil
        case .timed(_, _, let f, _): f
        }
    }
}

/// What loading a capture found: messages per kind, what the adapter saw, and what had to be skipped.
public struct ReplayLoadReport: Sendable, CustomStringConvertible {
    public var file: String
    public var format: ReplayFormat
    /// Container format (pcap, cryptofeedV1, ...), as detected.
    public var container: String
    /// Messages (or packets, lines) read from the container.
    public var read = 0
    /// Exchange messages by their own type (`l2update`, `snapshot`, `priceLevelBuy`, ...).
    public var sourceKinds: [String: Int] = [:]
    /// Events produced, by our kind (`l2`, `trades`, ...).
    public var produced: [String: Int] = [:]
    /// Skipped input: the first 20 locations, and the total.
    public var problems: [ReplayProblem] = []
    public var problemCount = 0
    public var truncation: String?
    /// Sequence gaps the exchange's own numbering shows (IEX).
    public var gaps: [String] = []
    /// Events left out by the symbol filter or the from/to window.
    public var filtered = 0

    mutating func problem(_ location: String, _ reason: String) {
        problemCount += 1
        if problems.count < 20 { problems.append(ReplayProblem(location: location, reason: reason)) }
    }

    public var description: String {
        var lines = ["\(file): \(format.rawValue) in \(container), \(read) messages read"]
        lines.append("  source message kinds: " + sourceKinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append("  events: " + produced.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                     + (filtered > 0 ? " (\(filtered) filtered out)" : ""))
        if let t = truncation { lines.append("  truncated: \(t)") }
        if !gaps.isEmpty { lines.append("  sequence gaps: \(gaps.count) (\(gaps.prefix(3).joined(separator: "; ")))") }
        if problemCount > 0 {
            lines.append("  skipped \(problemCount) bad input(s): " + problems.prefix(5).map(\.description).joined(separator: "; ")
                         + (problemCount > 5 ? "; …" : ""))
        }
        return lines.joined(separator: "\n")
    }
}
