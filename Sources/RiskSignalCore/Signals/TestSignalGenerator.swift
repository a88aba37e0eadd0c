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
        for _ in 0..<5 { wallet += Hex.padded(UInt64(UInt32(truncatingIfNeeded: rng.next())), digits: 8) }
        let txID = "tx_" + Hex.padded(rng.next(), digits: 16)
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
        let c = Array((Hex.padded(hi, digits: 16) + Hex.padded(lo, digits: 16)).utf8)
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (i, b) in c.enumerated() {
            if i == 8 || i == 12 || i == 16 || i == 20 { out.append(45) }
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Lower-case hex without Foundation's `String(format:)` (which is slow on Linux).
enum Hex {
    static func padded(_ v: UInt64, digits: Int) -> String {
        let digitsTable: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 48, count: digits)
        var x = v
        var i = digits - 1
        while i >= 0 {
            out[i] = digitsTable[Int(x & 0xF)]
            x >>= 4
            i -= 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
