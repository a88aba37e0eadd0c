/// The side of the aggressor (the taker) of a trade: `BUY` means a buy order lifted an ask.
public enum TakerSide: String, Sendable, Hashable {
    case buy = "BUY"
    case sell = "SELL"

    public var opposite: TakerSide { self == .buy ? .sell : .buy }
}
