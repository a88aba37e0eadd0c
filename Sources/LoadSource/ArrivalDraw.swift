import RiskSignalCore

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The two draws the random rate models need, seeded exactly like the generators' `Draw` (same mixing, same bits),
/// so arrival times are unchanged by the models living here. The generators keep their own, larger `Draw` inside
/// their module, where its inlined methods sit on the payload hot path.
struct ArrivalDraw: Sendable {
    private var rng: SplitMix64

    init(seed: UInt64) {
        rng = SplitMix64(seed: seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// Uniform on [0, 1) with 53 random bits.
    @inline(__always) mutating func uniform() -> Double {
        Double(rng.next() >> 11) * 0x1p-53
    }

    /// Exponential with the given rate (mean 1/rate), from a uniform on (0, 1].
    @inline(__always) mutating func exponential(rate: Double) -> Double {
        -log(Double((rng.next() >> 11) + 1) * 0x1p-53) / rate
    }
}
