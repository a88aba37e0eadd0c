import Pipeline
import RiskSignalCore
import Scenario
import Testing

/// `FeedKind` lives in RiskSignalCore so the load side need not import Pipeline; these keep its names in step with
/// the Pipeline catalogues, the encoders and the scenario spelling.
@Suite("FeedKind agrees with the Pipeline catalogues")
struct FeedKindTests {
    @Test(arguments: FeedKind.allCases)
    func streamMatchesStreamCatalog(feed: FeedKind) throws {
        let stream = StreamCatalog.spec(for: feed)
        #expect(stream.name == feed.streamName)
        #expect(stream.subjects == [feed.subjectPrefix + ">"])
        let listed = try #require(StreamCatalog.all.first { $0.name == feed.streamName })
        #expect(listed.subjects == stream.subjects)
    }

    @Test(arguments: FeedKind.allCases)
    func consumerMatchesConsumerCatalog(feed: FeedKind) throws {
        let consumer = ConsumerCatalog.definition(for: feed)
        #expect(consumer.name == feed.consumerName)
        #expect(consumer.stream.name == feed.streamName)
        #expect(consumer.filterSubject == feed.subjectPrefix + ">")
        let named = try #require(ConsumerCatalog.named(feed.consumerName))
        #expect(named.stream.name == feed.streamName)
        #expect(FeedKind(consumerName: feed.consumerName) == feed)
    }

    @Test(arguments: FeedKind.allCases)
    func tableIsAMigratedEventTable(feed: FeedKind) {
        #expect(SchemaMigrations.eventTables.contains(feed.tableName))
    }

    @Test func tablesMatchTheEncoders() {
        #expect(FeedKind.signals.tableName == SignalRowEncoder().table)
        #expect(FeedKind.trades.tableName == TradeRowEncoder().table)
        #expect(FeedKind.quotes.tableName == QuoteRowEncoder().table)
        #expect(FeedKind.orders.tableName == OrderRowEncoder().table)
        #expect(FeedKind.frontend.tableName == FrontendBatchEncoder().table)
    }

    @Test func rawValuesAreTheScenarioSpellingAndConsumersOfDerivedStreamsHaveNoFeed() {
        #expect(Set(ScenarioParser.generatorParameters.keys) == Set(FeedKind.generated))
        #expect(FeedKind.allCases.map(\.rawValue) == ["l2", "trades", "quotes", "social", "frontend", "orders", "signals"])
        #expect(FeedKind.generated == FeedKind.allCases.filter { $0 != .quotes }, "quotes come from replays only")
        #expect(FeedKind(consumerName: "alerts") == nil)
        #expect(FeedKind(consumerName: "webhooks") == nil)
        #expect(Set(FeedKind.allCases.map(\.consumerName)).count == FeedKind.allCases.count)
    }
}
