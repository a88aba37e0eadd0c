import ArgumentParser
import JetStream
import Pipeline
import RiskSignalCore

/// `risksignal produce <stream>`: publish events for manual testing.
struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Publish test events into a stream (realistic load generators live in rsbench).",
        discussion: """
            Each subcommand creates its stream if needed, publishes --count events at --rate per second \
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

        func validate() throws {
            guard rate > 0, rate.isFinite else { throw ValidationError("--rate \(rate): expected a positive number of events per second") }
            guard count >= 0 else { throw ValidationError("--count \(count): expected zero or more") }
        }

        func publish<S: EventSource>(_ source: S, stream: StreamSpec) async throws {
            Bootstrap.logging
            let config = try connection.resolve()
            let nats = try await NATSConnection.connect(.init(config, name: "risksignal-produce"))
            let js = try nats.jetStream()
            try await js.ensureStream(stream)
            let clock = ContinuousClock()
            let start = clock.now
            let total = count
            let counts = try await PacedPublisher(context: js).run(source, rate: rate, count: count) { print("published \($0)/\(total)") }
            let secs = (clock.now - start).seconds
            print("published \(counts.published) events to \(stream.subjects.joined(separator: ",")) in \(String(format: "%.2f", secs)) s: \(counts.acked) acked, \(counts.duplicates) duplicates, \(counts.failed) failed")
            nats.close()
            if counts.failed > 0 { throw ExitCode(1) }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Seed 000's mock transaction events on signals.transaction.")
        @OptionGroup var options: Options
        func run() async throws { try await options.publish(SignalEventSource(seed: options.seed), stream: StreamCatalog.signals) }
    }

    struct Trades: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Trades on market.trades.<symbol>.")
        @OptionGroup var options: Options
        func run() async throws { try await options.publish(TradeEventSource(seed: options.seed), stream: StreamCatalog.marketTrades) }
    }

    struct L2: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Raw L2 snapshots and diffs on market.l2raw.<symbol>.")
        @OptionGroup var options: Options
        func run() async throws { try await options.publish(L2EventSource(seed: options.seed), stream: StreamCatalog.marketL2Raw) }
    }

    struct Orders: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Order lifecycle events on user.actions.orders.")
        @OptionGroup var options: Options
        func run() async throws { try await options.publish(OrderEventSource(seed: options.seed), stream: StreamCatalog.userActions) }
    }

    struct Frontend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "sendBeacon batches of browser events on frontend.events.web.")
        @OptionGroup var options: Options
        func run() async throws { try await options.publish(FrontendEventSource(seed: options.seed), stream: StreamCatalog.frontendEvents) }
    }

    struct Social: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Social posts on social.raw.<source>.")
        @OptionGroup var options: Options
        func run() async throws { try await options.publish(SocialEventSource(seed: options.seed), stream: StreamCatalog.socialRaw) }
    }
}
