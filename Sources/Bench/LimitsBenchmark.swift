import ClickHouse
import Foundation
import JetStream
import RiskSignalCore

/// Measures the physical limits later work is compared against: raw JetStream publish and
/// consume rates, and direct batch-insert rows/s into ClickHouse.
public struct LimitsBenchmark: Sendable {
    public var connection: ConnectionConfig
    public var messages: Int
    public var payloadBytes: Int
    public var batchRows: Int
    public var batches: Int
    public var repeats: Int

    public init(connection: ConnectionConfig, messages: Int = 200_000, payloadBytes: Int = 200,
                batchRows: Int = 10_000, batches: Int = 20, repeats: Int = 3) {
        self.connection = connection
        self.messages = messages
        self.payloadBytes = payloadBytes
        self.batchRows = batchRows
        self.batches = batches
        self.repeats = repeats
    }

    /// Runs each measurement `repeats` times; `progress` gets one line per finished run.
    public func run(progress: @Sendable (String) -> Void) async throws -> [ThroughputResult] {
        let nats = try await NATSConnection.connect(NATSConnectionOptions(connection, name: "rsbench-limits"))
        defer { nats.close() }
        let js = try nats.jetStream()
        var publish: [Double] = [], consume: [Double] = []
        for i in 1...repeats {
            let stream = "BENCH_LIMITS_\(i)"
            try? await js.deleteStream(stream)
            try await js.ensureStream(StreamSpec(name: stream, subjects: ["bench.limits.\(i).>"], maxAge: .seconds(3600)))
            let p = try await measurePublish(js, subject: "bench.limits.\(i).x")
            publish.append(p)
            progress(String(format: "run %d: async publish %.0f msgs/s", i, p))
            let c = try await measureConsume(js, stream: stream, filter: "bench.limits.\(i).>")
            consume.append(c)
            progress(String(format: "run %d: pull consume + ack %.0f msgs/s", i, c))
            try? await js.deleteStream(stream)
        }
        var cfg = ClickHouseClientConfig(connection)
        cfg.database = "rsbench_limits"
        let ch = ClickHouseClient(cfg)
        var inserts: [Double] = []
        do {
            try await ch.execute("CREATE DATABASE IF NOT EXISTS rsbench_limits", useDatabase: false)
            for i in 1...repeats {
                let r = try await measureInsert(ch)
                inserts.append(r)
                progress(String(format: "run %d: batch insert %.0f rows/s", i, r))
            }
            try await ch.execute("DROP TABLE IF EXISTS rsbench_limits.raw_signals_bench")
        } catch {
            await ch.shutdown()
            throw error
        }
        await ch.shutdown()
        return [
            ThroughputResult(name: "JetStream async publish (\(payloadBytes) B, file)", unit: "msgs", runs: publish,
                             detail: "\(messages) msgs, window \(js.options.publishWindow), every ack counted"),
            ThroughputResult(name: "JetStream pull consume, ack each", unit: "msgs", runs: consume,
                             detail: "\(messages) msgs, fetch batch 1000, AckExplicit"),
            ThroughputResult(name: "ClickHouse batch insert (JSONEachRow)", unit: "rows", runs: inserts,
                             detail: "\(batches) batches x \(batchRows) raw_signals rows, one connection"),
        ]
    }

    func measurePublish(_ js: JetStreamContext, subject: String) async throws -> Double {
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: payloadBytes)
        let before = js.ackCounts
        let clock = ContinuousClock()
        let start = clock.now
        var sent = 0
        while sent < messages {
            let n = min(1000, messages - sent)
            try await js.publishAsync((0..<n).map { _ in OutgoingMessage(subject: subject, payload: payload) })
            sent += n
        }
        try await js.waitForAcks(timeout: .seconds(60))
        let elapsed = (clock.now - start).seconds
        let after = js.ackCounts
        guard after.acked - before.acked == UInt64(messages), after.failed == before.failed else {
            throw BenchError.lost("published \(messages) but \(after.acked - before.acked) were acked and \(after.failed - before.failed) failed")
        }
        return Double(messages) / elapsed
    }

    func measureConsume(_ js: JetStreamContext, stream: String, filter: String) async throws -> Double {
        let consumer = try await js.pullConsumer(ConsumerSpec(stream: stream, durable: "bench-limits", filterSubject: filter, maxAckPending: 100_000))
        let clock = ContinuousClock()
        let start = clock.now
        var received = 0
        var empty = 0
        while received < messages, empty < 5 {
            let batch = try await consumer.fetch(batch: 1000, maxWait: .seconds(1))
            if batch.isEmpty { empty += 1; continue }
            try await consumer.ack(batch)
            received += batch.count
        }
        let elapsed = (clock.now - start).seconds
        guard received == messages else { throw BenchError.lost("consumed \(received) of \(messages) messages") }
        return Double(received) / elapsed
    }

    func measureInsert(_ ch: ClickHouseClient) async throws -> Double {
        try await ch.execute("DROP TABLE IF EXISTS raw_signals_bench")
        try await ch.execute("""
            CREATE TABLE raw_signals_bench (event_time DateTime64(3), source_id LowCardinality(String),
              event_type LowCardinality(String), payload String CODEC(ZSTD(3)), severity UInt8, trace_id UUID,
              user_id String, wallet_address String, ingested_at DateTime64(3) DEFAULT now64(3))
            ENGINE = MergeTree PARTITION BY toYYYYMM(event_time) ORDER BY (event_type, event_time)
            """)
        var gen = TestSignalGenerator(seed: 3)
        let now = Timestamp(nanosSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9))
        var prepared: [InsertBatch] = []
        for _ in 0..<batches {
            var b = InsertBatch(reservingBytes: batchRows * 330)
            for _ in 0..<batchRows { b.append(row: gen.next(at: now).clickHouseRow()) }
            prepared.append(b)
        }
        let clock = ContinuousClock()
        let start = clock.now
        var written: UInt64 = 0
        for b in prepared { written += try await ch.insert(into: "raw_signals_bench", batch: b).writtenRows }
        let elapsed = (clock.now - start).seconds
        let count = try await ch.scalarInt("SELECT count() FROM raw_signals_bench")
        guard count == Int64(batches * batchRows) else { throw BenchError.lost("inserted \(batches * batchRows) rows but the table holds \(count)") }
        return Double(count) / elapsed
    }
}

/// A benchmark that could not produce an honest number.
public enum BenchError: Error, CustomStringConvertible {
    case lost(String)
    public var description: String {
        switch self { case .lost(let m): "measurement invalid: \(m)" }
    }
}
