import Pipeline

/// Where a generator kind's events go: the stream they are published into and the table they end in.
struct FeedRoute: Sendable {
    var stream: String
    var table: String

    static func of(_ kind: String) -> FeedRoute? {
        switch kind {
        case "l2": FeedRoute(stream: StreamCatalog.marketL2Raw.name, table: "book_topn")
        case "trades": FeedRoute(stream: StreamCatalog.marketTrades.name, table: "trades")
        case "social": FeedRoute(stream: StreamCatalog.socialRaw.name, table: "social_buzz")
        case "frontend": FeedRoute(stream: StreamCatalog.frontendEvents.name, table: "frontend_actions")
        case "orders": FeedRoute(stream: StreamCatalog.userActions.name, table: "user_orders")
        case "signals": FeedRoute(stream: StreamCatalog.signals.name, table: "raw_signals")
        default: nil
        }
    }
}
