/// One kind of traffic the harness offers the pipeline, spelled as in scenario files (`generator: l2`): the stream it
/// is published on, the consumer that reads it and the table its rows land in.
///
/// It lives here, beside `OutgoingMessage`, so the load side (generators, replay, load driver) and the consumer side
/// (the Pipeline catalogues) name the same feed without the load side importing `Pipeline`; a unit test keeps the
/// names below in step with `StreamCatalog` and `ConsumerCatalog`.
public enum FeedKind: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Raw L2 order-book snapshots and diffs.
    case l2
    case trades
    /// Best bid/offer, from replayed captures (no generator).
    case quotes
    case social
    case frontend
    case orders
    /// Seed 000's mock transaction signals.
    case signals

    /// The JetStream stream this feed is published into.
    public var streamName: String {
        switch self {
        case .l2: "MARKET_L2_RAW"
        case .trades: "MARKET_TRADES"
        case .quotes: "MARKET_QUOTES"
        case .social: "SOCIAL_RAW"
        case .frontend: "FRONTEND_EVENTS"
        case .orders: "USER_ACTIONS"
        case .signals: "SIGNALS"
        }
    }

    /// The subject prefix of the stream (its subjects are `prefix` + the symbol, source or channel).
    public var subjectPrefix: String {
        switch self {
        case .l2: "market.l2raw."
        case .trades: "market.trades."
        case .quotes: "market.quotes."
        case .social: "social.raw."
        case .frontend: "frontend.events."
        case .orders: "user.actions."
        case .signals: "signals."
        }
    }

    /// The pipeline consumer that reads the stream (`risksignal consume <name>`).
    public var consumerName: String {
        switch self {
        case .l2: "market"
        case .trades: "trades"
        case .quotes: "quotes"
        case .social: "social"
        case .frontend: "frontend"
        case .orders: "actions"
        case .signals: "signals"
        }
    }

    /// The ClickHouse table the consumer writes this feed's rows to (the market normaliser's top-N books for l2).
    public var tableName: String {
        switch self {
        case .l2: "book_topn"
        case .trades: "trades"
        case .quotes: "quotes"
        case .social: "social_buzz"
        case .frontend: "frontend_actions"
        case .orders: "user_orders"
        case .signals: "raw_signals"
        }
    }

    /// The feed a consumer reads, by the consumer's name (nil for consumers of derived streams: alerts, webhooks).
    public init?(consumerName: String) {
        guard let kind = Self.allCases.first(where: { $0.consumerName == consumerName }) else { return nil }
        self = kind
    }

    /// The feeds rsbench can synthesise (`generator:`); quotes come from replayed captures only.
    public static let generated: [FeedKind] = allCases.filter { $0 != .quotes }

    /// Ordered by raw value, so lists of feeds print the same in every run.
    public static func < (a: FeedKind, b: FeedKind) -> Bool { a.rawValue < b.rawValue }
}
