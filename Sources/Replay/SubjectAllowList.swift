import RiskSignalCore

/// The subjects a replay may publish to: the pipeline's own feeds (each `FeedKind`'s subject prefix, and the
/// adapters' `market.quotes.`), plus subjects matching `--allow-subjects` patterns (NATS wildcards `*` and `>`).
///
/// Server-side API and system namespaces (`$JS.`, `$SYS.`, `$KV.`, `$O.`, any other `$…`, `_INBOX.`) are refused
/// whatever the patterns say: a recording of them replayed would purge or delete streams, not feed the pipeline.
public struct SubjectAllowList: Sendable, Equatable {
    /// Extra patterns, like `custom.>` or `venue.*.trades`.
    public private(set) var patterns: [String]

    /// Subjects the pipeline reads, always allowed.
    public static var pipelinePrefixes: [String] { FeedKind.allCases.map(\.subjectPrefix) }
    /// Namespaces that reach the server's own APIs or other clients' replies.
    public static let reservedPrefixes = ["$", "_INBOX."]

    /// The pipeline's own subjects only.
    public init() { patterns = [] }

    /// Checks each pattern; an invalid one is an error naming it.
    public init(patterns: [String]) throws(ReplayError) {
        for p in patterns {
            if let why = Self.patternProblem(p) {
                throw .badOption(name: "--allow-subjects", reason: "\"\(p)\": \(why)")
            }
        }
        self.patterns = patterns
    }

    /// Nil when the subject may be published; otherwise why not.
    public func refusal(for subject: String) -> String? {
        if subject.isEmpty || subject.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F })
            || subject.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            return "not a valid subject (empty token or whitespace)"
        }
        if subject.contains("*") || subject.contains(">") { return "a wildcard is not a publish subject" }
        if let r = Self.reservedPrefixes.first(where: { subject.hasPrefix($0) }) {
            return "\(r == "$" ? "$-prefixed subjects ($JS., $SYS., $KV., $O., …)" : r + " subjects") are server API or reply "
                + "subjects and are never replayed, even when --allow-subjects matches"
        }
        if Self.pipelinePrefixes.contains(where: { subject.hasPrefix($0) && subject.count > $0.count }) { return nil }
        if patterns.contains(where: { Self.matches(pattern: $0, subject: subject) }) { return nil }
        return "not one of the pipeline's subjects (\(Self.pipelinePrefixes.map { $0 + ">" }.joined(separator: ", "))); "
            + "allow it with --allow-subjects"
    }

    /// NATS subject matching: `*` is exactly one token, a final `>` is one or more.
    public static func matches(pattern: String, subject: String) -> Bool {
        let p = pattern.split(separator: ".", omittingEmptySubsequences: false)
        let s = subject.split(separator: ".", omittingEmptySubsequences: false)
        for (i, token) in p.enumerated() {
            if token == ">" { return s.count > i }
            guard i < s.count else { return false }
            if token != "*" && token != s[i] { return false }
        }
        return p.count == s.count
    }

    static func patternProblem(_ p: String) -> String? {
        let tokens = p.split(separator: ".", omittingEmptySubsequences: false)
        if p.isEmpty || tokens.contains(where: \.isEmpty) { return "expected dot-separated tokens, like custom.> or venue.*.trades" }
        if p.utf8.contains(where: { $0 <= 0x20 }) { return "a subject pattern has no whitespace" }
        for (i, t) in tokens.enumerated() {
            if t == ">" && i != tokens.count - 1 { return "> may only be the last token" }
            if t != "*" && t != ">" && (t.contains("*") || t.contains(">")) { return "* and > must be whole tokens" }
        }
        return nil
    }
}
