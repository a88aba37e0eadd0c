/// A replica count the stream cannot have, naming the flag or field it came from.
public enum StreamReplicasError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Outside JetStream's 1-5.
    case outOfRange(source: String, value: Int)
    /// More replicas than the servers can place (a single server, or a cluster with fewer nodes); `detail` is the server's text.
    case exceedsServers(source: String, value: Int, stream: String, detail: String)

    public var description: String {
        switch self {
        case .outOfRange(let source, let value):
            "\(source) \(value): expected \(StreamSpec.replicaRange.lowerBound)-\(StreamSpec.replicaRange.upperBound) copies of each stream"
        case .exceedsServers(let source, let value, let stream, let detail):
            "\(source) \(value): the NATS servers cannot place \(value) copies of stream \(stream) (\(detail)); expected at most the cluster's node count (1 on a single server, e.g. `rsbench stack up --nats-cluster 3` for 3)"
        }
    }

    /// Checks `value` against JetStream's range.
    public static func validate(_ value: Int, source: String) throws(StreamReplicasError) {
        guard StreamSpec.replicaRange.contains(value) else { throw .outOfRange(source: source, value: value) }
    }

    /// JetStream's answers to a replica count it cannot place: 10074 (replicas > 1 without clustering), 10005 (no
    /// suitable peers: fewer nodes than replicas).
    public static let serverCodes: Set<Int> = [10074, 10005]
}
