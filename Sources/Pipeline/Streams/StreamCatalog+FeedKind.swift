import JetStream
import RiskSignalCore

extension StreamCatalog {
    /// The stream a feed is published into (`FeedKind.streamName`, kept in step by a unit test).
    public static func spec(for feed: FeedKind) -> StreamSpec {
        switch feed {
        case .l2: marketL2Raw
        case .trades: marketTrades
        case .quotes: marketQuotes
        case .social: socialRaw
        case .frontend: frontendEvents
        case .orders: userActions
        case .signals: signals
        }
    }
}

extension ConsumerCatalog {
    /// The consumer that reads a feed's stream (`FeedKind.consumerName`, kept in step by a unit test).
    public static func definition(for feed: FeedKind) -> ConsumerDefinition {
        switch feed {
        case .l2: market
        case .trades: trades
        case .quotes: quotes
        case .social: social
        case .frontend: frontend
        case .orders: actions
        case .signals: signals
        }
    }
}
