import ClickHouse
import Foundation
import JetStream
import MarketData
import Pipeline
import RiskSignalCore
import XCTest

/// Runs pipeline consumers against a test stack in their own ClickHouse database and durables.
struct PipelineHarness {
    let stack: TestStack
    let database: String
    let clickHouse: ClickHouseClient
    let nats: NATSConnection
    let js: JetStreamContext

    static func make(_ stack: TestStack, database: String) async throws -> PipelineHarness {
        let ch = stack.clickHouse(database: database)
        do { try await Migrator(client: ch, database: database).migrate() } catch {
            await ch.shutdown()
            throw error
        }
        let nats = try await stack.nats("harness-\(database)")
        let js = try nats.jetStream()
        for s in StreamCatalog.all { try await js.ensureStream(s) }
        return PipelineHarness(stack: stack, database: database, clickHouse: ch, nats: nats, js: js)
    }

    func close() async {
        nats.close()
        await clickHouse.shutdown()
    }

    /// A catalogue consumer narrowed to `filter`, under a durable of its own, with short batches.
    func definition(_ base: ConsumerDefinition, filter: String, batchSize: Int? = nil, maxWait: Duration = .milliseconds(200)) -> ConsumerDefinition {
        var d = base
        d.durable = "\(base.name)-\(database)-\(UInt32.random(in: 0...UInt32.max))"
        d.filterSubject = filter
        if let batchSize { d.policy.batchSize = batchSize }
        d.policy.maxWait = maxWait
        d.ackWait = .seconds(30)
        return d
    }

    func options(_ defs: [ConsumerDefinition]) -> PipelineOptions {
        var c = stack.connection
        c.clickHouseDatabase = database
        var o = PipelineOptions(connection: c, consumers: defs)
        o.stopWhenIdle = 3
        return o
    }

    /// Runs the consumers until they are idle; returns their counts.
    @discardableResult
    func runUntilIdle(_ defs: [ConsumerDefinition], configure: (inout PipelineOptions) -> Void = { _ in }) async throws -> [String: IngestCounts] {
        var o = options(defs)
        configure(&o)
        return try await PipelineRunner(options: o).run()
    }

    func publish(_ messages: [OutgoingMessage]) async throws {
        try await js.publishAsync(messages)
        try await js.waitForAcks(timeout: .seconds(30))
    }

    func count(_ sql: String) async throws -> Int64 { try await clickHouse.scalarInt(sql) }

    /// Dead letters of one consumer, as (field, reason) in stream order.
    func deadLetters(consumer: String) async throws -> [(field: String, reason: String)] {
        try await clickHouse.rows("SELECT field, reason FROM dead_letters FINAL WHERE consumer = '\(consumer)' ORDER BY stream_sequence").map {
            guard case .string(let f)? = $0["field"], case .string(let r)? = $0["reason"] else { return ("", "") }
            return (f, r)
        }
    }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}
