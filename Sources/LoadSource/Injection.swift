/// An anomaly a scenario injects into running traffic, so the pipeline's risk signals have something to find.
public struct Injection: Sendable, Equatable {
    /// What kind of anomaly, spelled as in scenario files.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// `magnitude`: fraction of the top levels' quantity removed (0.8). Target: a symbol. L2 and trades.
        case liquidityDrop = "liquidity_drop"
        /// `magnitude`: spread factor (5 = five times as wide). Target: a symbol. L2 and trades.
        case spreadBlowout = "spread_blowout"
        /// `magnitude`: extra new orders per second from one user. Target: a user id. Orders.
        case orderVelocity = "order_velocity"
        /// `magnitude`: factor on the symbol's mention rate, with strongly negative posts. Target: a symbol. Social.
        case socialBuzz = "social_buzz"
    }

    public var kind: Kind
    /// A symbol (`BTC-USDT`) or a user id written as a decimal string (`42`).
    public var target: String
    public var magnitude: Double
    public var duration: Duration

    public init(kind: Kind, target: String, magnitude: Double, duration: Duration) {
        self.kind = kind
        self.target = target
        self.magnitude = magnitude
        self.duration = duration
    }
}
