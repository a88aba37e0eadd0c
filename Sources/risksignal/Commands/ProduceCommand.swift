import ArgumentParser
import JetStream
import Pipeline

/// `risksignal produce <stream>`: publish events for manual testing.
struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Publish test events into a stream (realistic load generators live in rsbench).",
        subcommands: [Test.self]
    )

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seed 000's mock transaction events on signals.transaction.",
            discussion: """
                Creates the SIGNALS stream (signals.>) if needed, publishes --count events at --rate per \
                second, and waits until JetStream has acknowledged every one.

                Example:
                  risksignal produce test --rate 500 --count 5000
                """
        )

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Events per second.")
        var rate: Double = 1
        @Option(help: "How many events to publish, then stop.")
        var count: Int = 60
        @Option(help: "Random seed: the same seed gives the same events.")
        var seed: UInt64 = 1

        func validate() throws {
            guard rate > 0, rate.isFinite else { throw ValidationError("--rate \(rate): expected a positive number of events per second") }
            guard count >= 0 else { throw ValidationError("--count \(count): expected zero or more") }
        }

        func run() async throws {
            Bootstrap.logging
            let config = try connection.resolve()
            let nats = try await NATSConnection.connect(.init(config, name: "risksignal-produce"))
            let js = try nats.jetStream()
            try await js.ensureStream(StreamCatalog.signals)
            let producer = SignalsProducer(context: js, seed: seed)
            let clock = ContinuousClock()
            let start = clock.now
            let counts = try await producer.run(rate: rate, count: count) { sent in
                print("published \(sent)/\(count)")
            }
            let secs = (clock.now - start).seconds
            print("published \(counts.published) events to signals.transaction in \(String(format: "%.2f", secs)) s: \(counts.acked) acked, \(counts.duplicates) duplicates, \(counts.failed) failed")
            nats.close()
            if counts.failed > 0 { throw ExitCode(1) }
        }
    }
}
