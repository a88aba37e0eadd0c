import Foundation

/// Seed 000's mock transaction events, deterministic for a given seed.
public struct TestSignalGenerator: Sendable {
    private var rng: SplitMix64
    public var sourceID: String

    public init(seed: UInt64, sourceID: String = "risksignal-test-producer") {
        self.rng = SplitMix64(seed: seed)
        self.sourceID = sourceID
    }

    public mutating func next(at time: Timestamp) -> RiskSignal {
        let amount = Double(rng.next() % 1_000_000) / 100
        let currencies = ["USD", "EUR", "USDT", "BTC", "ETH"]
        let currency = currencies[Int(rng.next() % UInt64(currencies.count))]
        let userNumber = rng.next() % 10_000
        var wallet = "0x"
        for _ in 0..<5 { wallet += String(format: "%08x", UInt32(truncatingIfNeeded: rng.next())) }
        let txID = String(format: "tx_%016llx", rng.next())
        let payload = "{\"amount\":\(amount),\"currency\":\"\(currency)\",\"test\":true,\"transaction_id\":\"\(txID)\"}"
        return RiskSignal(eventTime: time, sourceID: sourceID, eventType: "transaction", payload: payload,
                          severity: UInt8(1 + rng.next() % 5), traceID: rng.uuidString(),
                          userID: "user_\(userNumber)", walletAddress: wallet)
    }
}

/// A small, fast, seedable PRNG (SplitMix64); every generator takes one so runs are reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A version-4 UUID string drawn from this generator.
    public mutating func uuidString() -> String {
        let a = next(), b = next()
        let hi = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let lo = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        let h = String(format: "%016llx%016llx", hi, lo)
        let c = Array(h)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }
}
