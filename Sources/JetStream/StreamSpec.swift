import RiskSignalCore
/// The declared shape of one JetStream stream, created or updated to match by `ensureStream`.
public struct StreamSpec: Sendable, Equatable {
    public enum Storage: Sendable { case file, memory }

    public var name: String
    public var subjects: [String]
    public var maxAge: Duration
    public var storage: Storage
    /// Window in which a repeated `Nats-Msg-Id` is dropped by the server.
    public var duplicateWindow: Duration
    /// Keep only this many messages per subject (-1: no limit); 1 gives "latest per key".
    public var maxMessagesPerSubject: Int
    public var maxBytes: Int64
    /// Copies kept on different servers of a cluster (1-5); 1 on a single server. An R3 stream survives losing a node.
    public var replicas: Int

    /// The replica counts JetStream accepts.
    public static let replicaRange = 1...5

    public init(name: String, subjects: [String], maxAge: Duration, storage: Storage = .file,
                duplicateWindow: Duration = .seconds(120), maxMessagesPerSubject: Int = -1, maxBytes: Int64 = -1, replicas: Int = 1) {
        self.name = name
        self.subjects = subjects
        self.maxAge = maxAge
        self.storage = storage
        self.duplicateWindow = min(duplicateWindow, maxAge)
        self.maxMessagesPerSubject = maxMessagesPerSubject
        self.maxBytes = maxBytes
        self.replicas = replicas
    }

    /// The same stream with `n` replicas.
    public func withReplicas(_ n: Int) -> StreamSpec {
        var s = self
        s.replicas = n
        return s
    }
}

/// What a stream holds right now.
public struct StreamState: Sendable, Equatable {
    public var messages: UInt64
    public var bytes: UInt64
    public var firstSequence: UInt64
    public var lastSequence: UInt64
    public var consumers: Int
}

/// Where a stream lives in a cluster: the server that leads it and its replicas (JetStream's `cluster` block).
public struct StreamPlacement: Sendable, Equatable {
    /// One server holding a copy besides the leader.
    public struct Peer: Sendable, Equatable {
        public var name: String
        public var current: Bool
    }

    /// The `server_name` of the leader; empty while none is elected (or on a server without clustering).
    public var leader: String
    public var peers: [Peer]
    public var configuredReplicas: Int
}

/// The declared shape of a durable pull consumer.
public struct ConsumerSpec: Sendable, Equatable {
    public enum AckPolicy: Sendable { case explicit, all, none }

    public var stream: String
    public var durable: String
    /// Subject filter within the stream; required by libnats' pull subscribe.
    public var filterSubject: String
    public var ackPolicy: AckPolicy
    /// How long a delivered message may stay un-acked before the server redelivers it.
    public var ackWait: Duration
    public var maxAckPending: Int
    /// Deliveries before the server gives up on a message (-1: unlimited).
    public var maxDeliver: Int

    public init(stream: String, durable: String, filterSubject: String, ackPolicy: AckPolicy = .explicit,
                ackWait: Duration = .seconds(30), maxAckPending: Int = 50_000, maxDeliver: Int = -1) {
        self.stream = stream
        self.durable = durable
        self.filterSubject = filterSubject
        self.ackPolicy = ackPolicy
        self.ackWait = ackWait
        self.maxAckPending = maxAckPending
        self.maxDeliver = maxDeliver
    }
}

/// A durable consumer's progress, as JetStream reports it.
public struct ConsumerState: Sendable, Equatable {
    /// Messages in the stream not yet delivered to this consumer.
    public var numPending: UInt64
    /// Delivered but not yet acknowledged.
    public var numAckPending: Int64
    public var numRedelivered: Int64
    public var numWaiting: Int64
    public var deliveredStreamSequence: UInt64
    /// Every stream sequence at or below this is acknowledged.
    public var ackFloorStreamSequence: UInt64
    public var ackFloorConsumerSequence: UInt64
}

/// What the server said about one published message.
public struct PublishAck: Sendable {
    public var stream: String
    public var sequence: UInt64
    /// The server had already stored a message with this `Nats-Msg-Id`.
    public var duplicate: Bool
}

/// Ack accounting for async publishes: every message enqueued ends up acked or failed.
/// A group of async publishes whose acks can be awaited together (`JetStreamContext.publishTracked`); it keeps the
/// messages, so a publication the server refused can be sent again.
public struct PublishTicket: Sendable {
    /// The header that ties each message's ack to its group.
    public static let groupHeader = "Rs-Ack-Group"
    let group: UInt64
    public let messages: [OutgoingMessage]
    public var count: Int { messages.count }
}

public struct PublishAckCounts: Sendable, Equatable {
    public var published: UInt64 = 0
    public var acked: UInt64 = 0
    public var duplicates: UInt64 = 0
    public var failed: UInt64 = 0
    /// Re-sends after a lost ack (`PublishRetryPolicy`); a message counts once in `published` however often it is sent.
    public var retries: UInt64 = 0
    public var lastError: String?

    /// Enqueued but neither acked nor failed yet.
    public var outstanding: UInt64 { published &- acked &- failed }
}
