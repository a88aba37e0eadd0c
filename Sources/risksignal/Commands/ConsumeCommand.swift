import ArgumentParser
import ClickHouse
import Foundation
import JetStream
import Pipeline
import RiskSignalCore

/// `risksignal consume <name>`: one consumer, from its durable into its table.
struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Run one consumer: JetStream durable → validation → batched ClickHouse inserts.",
        subcommands: [Signals.self]
    )

    struct Signals: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "signals.> into raw_signals (durable signals-to-clickhouse).",
            discussion: """
                Batches up to --batch-size messages or --max-wait, whichever comes first; acks only \
                after the insert succeeded; invalid messages go to dlq.signals with the reason in the \
                Rs-Dlq-Reason header. SIGINT/SIGTERM finish the batch in hand, then exit.

                Example:
                  risksignal consume signals --batch-size 1000 --max-wait 0.5 --exit-when-idle 3
                """
        )

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Most messages per insert.")
        var batchSize = 100
        @Option(help: "Longest wait for a batch to fill, in seconds.")
        var maxWait: Double = 1
        @Option(help: "Stop after this many empty fetches in a row (default: run until stopped).")
        var exitWhenIdle: Int?
        @Option(help: "Durable consumer name.")
        var durable = "signals-to-clickhouse"

        func validate() throws {
            guard batchSize > 0 else { throw ValidationError("--batch-size \(batchSize): expected a positive number of messages") }
            guard maxWait > 0, maxWait.isFinite else { throw ValidationError("--max-wait \(maxWait): expected a positive number of seconds") }
        }

        func run() async throws {
            Bootstrap.logging
            let config = try connection.resolve()
            let log = connection.logger("risksignal.consume.signals")
            let nats = try await NATSConnection.connect(.init(config, name: "risksignal-consume-signals"))
            let js = try nats.jetStream()
            try await js.ensureStream(StreamCatalog.signals)
            try await js.ensureStream(StreamCatalog.deadLetters)
            let consumer = try await js.pullConsumer(ConsumerSpec(stream: StreamCatalog.signals.name, durable: durable, filterSubject: "signals.>"))
            let ch = ClickHouseClient(.init(config))
            try await ch.ping()
            let ingestor = StreamIngestor(name: "signals", consumer: consumer, clickHouse: ch, handler: EncoderHandler(SignalRowEncoder()),
                                          policy: BatchPolicy(batchSize: batchSize, maxWait: .nanoseconds(Int64(maxWait * 1e9))), logger: log)
            log.info("consuming signals.> into \(config.clickHouseDatabase).raw_signals", metadata: ["durable": .string(durable)])
            let stop = exitWhenIdle
            let clock = ContinuousClock()
            let start = clock.now
            do {
                try await ShutdownSignals.run { try await ingestor.run(stopWhenIdle: stop) }
            } catch is CancellationError {
                log.info("stopped by signal after finishing the batch in hand")
            }
            let c = ingestor.stats.snapshot
            let state = try await consumer.state()
            print("received \(c.received), inserted \(c.rowsInserted) rows in \(c.batches) batches, dead-lettered \(c.deadLettered), insert retries \(c.insertRetries) in \(String(format: "%.1f", (clock.now - start).seconds)) s; consumer pending \(state.numPending), ack pending \(state.numAckPending)")
            await ch.shutdown()
            nats.close()
        }
    }
}
