import ClickHouse
import JetStream
import Pipeline
import Reporting
import RiskSignalCore

/// After the drain: acked publishes against stream counts, and stream counts against rows plus dead letters.
/// A shortfall is a loss and stays one: nothing here is averaged across stages.
public struct CrossChecker: Sendable {
    public var ch: ClickHouseClient
    public var admin: JetStreamContext
    public var metrics: PipelineMetrics?

    public init(ch: ClickHouseClient, admin: JetStreamContext, metrics: PipelineMetrics?) {
        self.ch = ch
        self.admin = admin
        self.metrics = metrics
    }

    /// Every stream that holds something after the run, with its retention.
    public func streams() async -> [StreamStats] {
        var out: [StreamStats] = []
        for spec in StreamCatalog.all {
            if let st = try? await admin.streamState(spec.name), st.messages > 0 || st.bytes > 0 {
                out.append(StreamStats(stream: spec.name, bytes: st.bytes, messages: st.messages, maxAgeSeconds: spec.maxAge.seconds))
            }
        }
        return out
    }

    /// The checks for these workloads; streams a replay feeds are not reconciled, since a replay's events spread over
    /// several streams in proportions only the capture knows (its own acks are in its workload line).
    ///
    /// `before` holds the messages each stream had before the run: on servers kept between runs only the growth is
    /// this run's.
    public func check(workloads: [WorkloadStats], streams: [StreamStats], replayedKinds: [FeedKind] = [],
                      before: [String: UInt64] = [:]) async throws -> [CrossCheck] {
        var dlqByStream: [String: UInt64] = [:]
        for r in (try? await ch.rows("SELECT stream, uniqExact(stream_sequence) AS n FROM dead_letters GROUP BY stream")) ?? [] {
            if case .string(let st)? = r["stream"] { dlqByStream[st] = UInt64(ClickHouseValues.number(r["n"]) ?? 0) }
        }
        let replayed = Set(replayedKinds.map(\.streamName))
        var ackedByStream: [String: UInt64] = [:]
        var duplicatesByStream: [String: UInt64] = [:]
        var kindsByStream: [String: Set<FeedKind>] = [:]
        for w in workloads {
            guard let kind = FeedKind(rawValue: w.source), !replayed.contains(kind.streamName) else { continue }
            ackedByStream[kind.streamName, default: 0] += w.acked - min(w.acked, w.duplicates)
            duplicatesByStream[kind.streamName, default: 0] += min(w.acked, w.duplicates)
            kindsByStream[kind.streamName, default: []].insert(kind)
        }
        var checks: [CrossCheck] = []
        for (st, acked) in ackedByStream.sorted(by: { $0.key < $1.key }) {
            if let d = duplicatesByStream[st], d > 0 {
                checks.append(Self.duplicates(st, d))
            }
            let total = streams.first { $0.stream == st }?.messages ?? 0
            let earlier = min(total, before[st] ?? 0)
            let inStream = total - earlier
            checks.append(Self.check("acked → \(st)", expected: acked, actual: inStream,
                                     detail: "\(acked) publishes acked (duplicates excluded), \(inStream) messages in the stream"
                                        + (earlier > 0 ? " from this run (\(earlier) were there before it)" : "")))
            guard let kinds = kindsByStream[st], kinds.count == 1, let k = kinds.first else { continue }
            let dlq = dlqByStream[st] ?? 0
            // The measurement already counted what the stage holds; count here only for workloads built without it.
            var stored = workloads.first { $0.source == k.rawValue }?.stored
            if stored == nil { stored = try await StoredCount.of(k, ch: ch, metrics: metrics) }
            guard let stored else { continue }
            let stage = k == .l2 ? "normaliser" : k.tableName
            let what = k == .l2 ? "messages the market normaliser received" : "distinct events in \(k.tableName)"
            checks.append(Self.check("\(st) → \(stage) + DLQ", expected: inStream, actual: stored + dlq,
                                     detail: "\(inStream) in the stream, \(stored) \(what), \(dlq) dead-lettered"))
        }
        return checks
    }

    /// Publishes JetStream acked as duplicates: reported on their own line, never as loss.
    static func duplicates(_ stream: String, _ n: UInt64) -> CrossCheck {
        CrossCheck(name: "duplicates → \(stream)", expected: Double(n), actual: Double(n), status: .ok,
                   text: "\(n) publishes were duplicates of message ids \(stream) already held (JetStream's duplicate window): "
                       + "stored once, not lost. Event ids repeat when a run uses --repeatable-ids within 2 minutes of another.")
    }

    static func check(_ name: String, expected: UInt64, actual: UInt64, detail: String) -> CrossCheck {
        CrossCheck(name: name, expected: Double(expected), actual: Double(actual),
                   status: actual == expected ? .ok : actual < expected ? .loss : .excess, text: detail)
    }
}
