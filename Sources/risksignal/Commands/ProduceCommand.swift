import ArgumentParser
import Generators
import JetStream
import LoadDriver
import Pipeline
import RiskSignalCore

/// `risksignal produce <stream>`: publish events for manual testing.
struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Publish test events into a stream, from rsbench's generators at their defaults.",
        discussion: """
            Each subcommand creates its stream if needed, publishes --count events from the scenario \
            generator of that feed (default parameters) at --rate per second, paced like an rsbench workload \
            (each stamped with its intended send time in the Rs-Intended-Ns header), and waits until \
            JetStream has acknowledged every one.

            Examples:
              risksignal produce test --rate 500 --count 5000      # seed 000's signals
              risksignal produce trades --rate 1000 --count 10000
              risksignal produce l2 --rate 2000 --count 20000
            """,
        subcommands: [Test.self, Trades.self, L2.self, Orders.self, Frontend.self, Social.self]
    )

    struct Options: ParsableArguments {
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Events per second.") var rate: Double = 1
        @Option(help: "How many events to publish, then stop.") var count: Int = 60
        @Option(help: "Random seed: the same seed gives the same events.") var seed: UInt64 = 1
        @Flag(help: "Event ids from the seed only, the same every run (default: a per-run nonce, so producing again within JetStream's 2-minute duplicate window publishes again).") var repeatableIds = false

        func validate() throws {
            guard rate.isFinite, PacingLimits.rates.contains(rate) else {
                throw ValidationError("--rate \(rate): expected a positive number of events per second in 1e-06...1e+08")
            }
            guard count >= 0, count <= 1_000_000_000 else { throw ValidationError("--count \(count): expected 0...1000000000") }
        }

        func publish(_ feed: FeedKind) async throws {
            Bootstrap.logging
            let config = try connection.resolve()
            let ids = EventIDPolicy.choose(repeatable: repeatableIds)
            print("event ids: \(ids)")
            guard let spec = GeneratorSpec.defaults(kind: feed) else { throw ValidationError("no generator makes \(feed.rawValue)") }
            let generator = try spec.make(seed: seed, idSalt: ids.nonce)
            let nats = try await NATSConnection.connect(.init(config, name: "risksignal-produce"))
            let js = try nats.jetStream()
            let stream = StreamCatalog.spec(for: feed)
            try await js.ensureStream(stream)
            let clock = ContinuousClock()
            let start = clock.now
            let total = count
            let workload = CountedWorkload(name: feed.rawValue, generator: generator, rate: rate, count: count)
            let counts = try await workload.run(connection: nats) { print("published \($0)/\(total)") }
            let secs = (clock.now - start).seconds
            print("published \(counts.published) events to \(stream.subjects.joined(separator: ",")) in \(String(format: "%.2f", secs)) s: \(counts.acked) acked, \(counts.duplicates) duplicates, \(counts.failed) failed\(counts.retries > 0 ? ", \(counts.retries) re-sent after a lost ack" : "")")
            if counts.duplicates > 0 {
                print("note: \(counts.duplicates) were duplicates of messages already in the stream (same Nats-Msg-Id within its duplicate window): stored once, not lost")
            }
            nats.close()
            if counts.failed > 0 { throw ExitCode(1) }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Seed 000's mock transaction events on signals.transaction.")
        @OptionGroup var options: Options
        func run() async throws { try await options.publish(.signals) }
    }

    struct Trades: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Trades on market.trades.<symbol>.")
        @OptionGroup var options: Options
        func run() async throws { try await options.publish(.trades) }
    }

    struct L2: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Raw L2 snapshots and diffs on market.l2raw.<symbol>.")
        @OptionGroup var options: Options
        func run() async throws { try await options.publish(.l2) }
    }

    struct Orders: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Order lifecycle events on user.actions.orders.")
        @OptionGroup var options: Options
        func run() async throws { try await options.publish(.orders) }
    }

    struct Frontend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "sendBeacon batches of browser events on frontend.events.web.")
        @OptionGroup var options: Options
        func run() async throws { try await options.publish(.frontend) }
    }

    struct Social: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Social posts on social.raw.<source>.")
        @OptionGroup var options: Options
        func run() async throws { try await options.publish(.social) }
    }
}
