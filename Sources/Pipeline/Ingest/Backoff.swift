import Foundation
import RiskSignalCore

/// Capped exponential backoff with full jitter, for retrying a busy or absent server.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    private var attempt = 0
    private var rng: SplitMixJitter

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5), multiplier: Double = 2, seed: UInt64 = 0x5eed) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.rng = SplitMixJitter(state: seed)
    }

    /// The next delay: a random point in [cap/2, cap] where cap grows each call up to `maximum`.
    public mutating func next() -> Duration {
        let base = initial.seconds * pow(multiplier, Double(attempt))
        let cap = min(maximum.seconds, base)
        attempt += 1
        let f = 0.5 + 0.5 * rng.unit()
        return .nanoseconds(Int64(cap * f * 1e9))
    }

    public mutating func reset() { attempt = 0 }

    public var attempts: Int { attempt }
}

struct SplitMixJitter: Sendable {
    var state: UInt64
    mutating func unit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
}
