/// Which Binance product a connection carries; it decides the exchange tag and how depth updates chain.
public enum BinanceMarket: String, Sendable, Hashable {
    /// Spot: depth updates chain by `U == previous u + 1`.
    case spot
    /// USD-M futures: depth updates chain by `pu == previous u` (ids are not contiguous).
    case usdmFutures
}
