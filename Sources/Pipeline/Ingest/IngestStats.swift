import Synchronization

/// Running counts of one consumer, readable while it runs.
public struct IngestCounts: Sendable, Equatable {
    public var received: UInt64 = 0
    public var rowsInserted: UInt64 = 0
    public var batches: UInt64 = 0
    public var deadLettered: UInt64 = 0
    public var insertRetries: UInt64 = 0
    public var handlerRetries: UInt64 = 0
    /// Rows ClickHouse refused that no input message owns (nothing to dead-letter): dropped, counted here.
    public var rowsDropped: UInt64 = 0
    public var lastError: String?
}

/// Thread-safe holder of `IngestCounts`, shared between the consumer loop and observers.
public final class IngestStats: Sendable {
    private let state = Mutex(IngestCounts())
    public init() {}
    public var snapshot: IngestCounts { state.withLock { $0 } }
    func update(_ body: (inout IngestCounts) -> Void) { state.withLock { body(&$0) } }
}
