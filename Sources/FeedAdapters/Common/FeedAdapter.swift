/// The seam between a recorded or live exchange feed and the pipeline: one exchange message in, normalised events out.
///
/// Adapters are value types holding per-symbol sequencing state, so one instance serves one connection or
/// recording, used from one task. A message of a kind the adapter knows but does not map (heartbeat, subscription
/// ack, status) is counted and yields `[]`; a malformed or unknown one throws and leaves the state unchanged.
public protocol FeedAdapter: Sendable {
    /// The venue tag written into every event's `exchange` field, e.g. `binance`.
    var name: String { get }
    /// Messages seen per kind (e.g. `"l2update": 9719`), counting only those that were accepted.
    var counts: [String: Int] { get }
    /// The kinds in `counts` that are accepted but deliberately map to nothing (acks, heartbeats, status, venue
    /// errors); a replay reports them as unsupported.
    var unmappedKinds: Set<String> { get }
    /// Translates one message; `receivedNanos` (capture time, ns since epoch) stands in for an event time the message lacks.
    mutating func adapt(_ message: UnsafeRawBufferPointer, receivedNanos: Int64) throws(AdapterError) -> [NormalizedEvent]
}

extension FeedAdapter {
    public var unmappedKinds: Set<String> { [] }

    /// Same as the buffer form, for callers holding a byte array.
    public mutating func adapt(_ message: [UInt8], receivedNanos: Int64) throws(AdapterError) -> [NormalizedEvent] {
        let result: Result<[NormalizedEvent], AdapterError> = message.withUnsafeBytes { buf in
            do throws(AdapterError) { return .success(try adapt(buf, receivedNanos: receivedNanos)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

/// Per-kind message tallies kept in a fixed array (no string hashing per message); turned into a dictionary on demand.
struct KindTally: Sendable, Hashable {
    private let names: [String]
    private var values: [Int]

    init(_ names: [String]) {
        self.names = names
        values = Array(repeating: 0, count: names.count)
    }

    @inline(__always)
    mutating func add(_ index: Int, _ n: Int = 1) { values[index] += n }

    var dictionary: [String: Int] {
        var out: [String: Int] = [:]
        for (k, v) in values.enumerated() where v > 0 { out[names[k]] = v }
        return out
    }
}
