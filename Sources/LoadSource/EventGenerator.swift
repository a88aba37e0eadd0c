import RiskSignalCore

/// Makes the events of one workload, the payload half of a load source (synthetic generators, a replayed capture).
/// `next(at:)` is called with each arrival's intended time, in increasing order.
public protocol EventGenerator: Sendable {
    /// The feeds this source publishes into, sorted: which streams to create and which consumers and tables to watch.
    var feeds: [FeedKind] { get }
    mutating func next(at intendedNanos: Int64) -> GeneratedEvent
    /// Starts an anomaly (see `Injection`); generators ignore kinds that are not theirs.
    mutating func inject(_ injection: Injection, at intendedNanos: Int64)
}
