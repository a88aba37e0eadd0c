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
        case .market(.quote): FeedKind.quotes.rawValue
        case .market(.book): FeedKind.l2.rawValue
        case .market(.trade): FeedKind.trades.rawValue
        case .raw(_, _, _, let k): k
        case .timed(_, _, let f, _): f.rawValue
        }
    }

    /// The feed this message goes into, nil for recorded messages (subjects as captured).
    public var feed: FeedKind? {
        switch body {
        case .market(.book): .l2
        case .market(.trade): .trades
        case .market(.quote): .quotes
        case .raw: nil
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
    /// A corrupt pcap/pcapng record, by number and byte offset: reading stopped there, the packets before it kept.
    public var corruption: String?
    /// Sequence gaps the exchange's own numbering shows (IEX).
    public var gaps: [String] = []
    /// Events left out by the symbol filter or the from/to window.
    public var filtered = 0
    /// Valid messages of kinds we do not map (and the acks, heartbeats and status messages we ignore), by the
    /// venue's name for the kind: not bad input.
    public var unsupported: [String: Int] = [:]
    /// Book messages that could not be applied (a REST snapshot naming no symbol): the first 20 locations, and the
    /// total. Their books stay unsynced until a snapshot that can be placed.
    public var unsynced: [ReplayProblem] = []
    public var unsyncedCount = 0

    mutating func problem(_ location: String, _ reason: String) {
        problemCount += 1
        if problems.count < 20 { problems.append(ReplayProblem(location: location, reason: reason)) }
    }

    /// Counts one message an adapter rejected under its `MessageClass`: unsupported, unsynced or bad.
    mutating func classify(_ error: AdapterError, at location: String) {
        switch MessageClass(error) {
        case .unsupported(let kind): unsupported[kind, default: 0] += 1
        case .unsynced(let reason):
            unsyncedCount += 1
            if unsynced.count < 20 { unsynced.append(ReplayProblem(location: location, reason: reason)) }
        case .bad: problem(location, error.description)
        }
    }

    /// Adds the kinds the adapter accepted but maps to nothing to `unsupported`.
    mutating func countUnmapped(_ adapter: some FeedAdapter) {
        for (kind, n) in adapter.counts where adapter.unmappedKinds.contains(kind) { unsupported[kind, default: 0] += n }
    }

    public var description: String {
        var lines = ["\(file): \(format.rawValue) in \(container), \(read) messages read"]
        lines.append("  source message kinds: " + sourceKinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append("  events: " + produced.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                     + (filtered > 0 ? " (\(filtered) filtered out)" : ""))
        if let t = truncation { lines.append("  truncated: \(t)") }
        if let c = corruption { lines.append("  corrupt: \(c)") }
        if !unsupported.isEmpty {
            lines.append("  unsupported: " + unsupported.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", "))
        }
        if unsyncedCount > 0 {
            lines.append("  books not synced: \(unsyncedCount) message(s): " + unsynced.prefix(3).map(\.description).joined(separator: "; ")
                         + (unsyncedCount > 3 ? "; …" : ""))
        }
        if !gaps.isEmpty { lines.append("  sequence gaps: \(gaps.count) (\(gaps.prefix(3).joined(separator: "; ")))") }
        if problemCount > 0 {
            lines.append("  skipped \(problemCount) bad input(s): " + problems.prefix(5).map(\.description).joined(separator: "; ")
                         + (problemCount > 5 ? "; …" : ""))
        }
        return lines.joined(separator: "\n")
    }
}
