import JetStream

/// The JetStream streams of DESIGN §3, with their subjects and retention.
public enum StreamCatalog {
    static let day: Duration = .seconds(86_400)

    public static let signals = StreamSpec(name: "SIGNALS", subjects: ["signals.>"], maxAge: day * 7)
    public static let socialRaw = StreamSpec(name: "SOCIAL_RAW", subjects: ["social.raw.>"], maxAge: day * 7)
    public static let socialProcessed = StreamSpec(name: "SOCIAL_PROCESSED", subjects: ["social.processed.>"], maxAge: day * 30)
    public static let marketL2Raw = StreamSpec(name: "MARKET_L2_RAW", subjects: ["market.l2raw.>"], maxAge: day)
    public static let marketL2 = StreamSpec(name: "MARKET_L2", subjects: ["market.l2.>"], maxAge: day * 7)
    public static let marketTrades = StreamSpec(name: "MARKET_TRADES", subjects: ["market.trades.>"], maxAge: day * 7)
    /// Best bid/ask updates from replayed feeds (Binance bookTicker, Coinbase ticker, IEX TOPS); no consumer yet.
    public static let marketQuotes = StreamSpec(name: "MARKET_QUOTES", subjects: ["market.quotes.>"], maxAge: day)
    public static let userActions = StreamSpec(name: "USER_ACTIONS", subjects: ["user.actions.>"], maxAge: day * 30)
    public static let frontendEvents = StreamSpec(name: "FRONTEND_EVENTS", subjects: ["frontend.events.>"], maxAge: day * 7)
    /// Latest alert per subject (rule and key), kept a day.
    public static let alerts = StreamSpec(name: "ALERTS", subjects: ["alerts.>"], maxAge: day, maxMessagesPerSubject: 100)
    public static let deadLetters = StreamSpec(name: "DLQ", subjects: ["dlq.>"], maxAge: day * 14)

    public static let all: [StreamSpec] = [
        signals, socialRaw, socialProcessed, marketL2Raw, marketL2, marketTrades, marketQuotes, userActions, frontendEvents, alerts, deadLetters,
    ]
}
