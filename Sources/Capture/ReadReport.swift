/// What happened while reading a capture: counts per outcome, the first problem locations, truncation.
public struct ReadReport: Sendable, CustomStringConvertible {
    /// One skipped line/packet/frame and why.
    public struct Problem: Sendable, CustomStringConvertible {
        public var origin: Origin
        public var reason: String
        public var description: String { "\(origin): \(reason)" }
    }

    /// How many problem locations are kept; the total is always counted.
    public static let keptProblems = 20

    public var file: String
    public var format: CaptureFormat?
    /// Outcome name → count, e.g. "message", "empty", "connect", "sent", "bad", "tcp.retransmitted".
    public private(set) var counts: [String: Int] = [:]
    /// The first `keptProblems` problems, in reading order.
    public private(set) var problems: [Problem] = []
    /// All problems, including those not kept in `problems`.
    public private(set) var problemCount = 0
    /// Set when the input ended mid-record (libpcap's message, or the decompressor's), with where.
    public var truncation: Problem?
    /// Set when a pcap/pcapng record is corrupt (a captured length over the limits, a garbage header, a block whose
    /// lengths disagree): reading stopped there and the packets before it were kept. Names the record and its offset.
    public var corruption: Problem?

    public init(file: String, format: CaptureFormat? = nil) {
        self.file = file
        self.format = format
    }

    public subscript(outcome: String) -> Int { counts[outcome, default: 0] }

    mutating func count(_ outcome: String, _ n: Int = 1) { counts[outcome, default: 0] += n }

    /// Counts a skipped item under "bad" (or `outcome`) and keeps its location if there is room.
    mutating func problem(_ origin: Origin, _ reason: String, outcome: String = "bad") {
        count(outcome)
        problemCount += 1
        if problems.count < Self.keptProblems { problems.append(Problem(origin: origin, reason: reason)) }
    }

    public var description: String {
        var s = "\(file)"
        if let format { s += " (\(format))" }
        s += ": " + counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        if problemCount > 0 {
            s += "\n  \(problemCount) problem(s), first: " + problems.prefix(5).map(\.description).joined(separator: "; ")
        }
        if let truncation { s += "\n  truncated: \(truncation)" }
        if let corruption { s += "\n  corrupt: \(corruption)" }
        return s
    }
}

extension ReadReport {
    /// Adds another report's counts and problems (packet-level report + stream-level report).
    mutating func merge(_ other: ReadReport) {
        for (k, v) in other.counts { count(k, v) }
        for p in other.problems where problems.count < Self.keptProblems { problems.append(p) }
        problemCount += other.problemCount
        if truncation == nil { truncation = other.truncation }
        if corruption == nil { corruption = other.corruption }
    }
}
