import RiskSignalCore

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The distributions the generators draw from, over a seeded `SplitMix64` so every run is reproducible.
struct Draw: Sendable {
    var rng: SplitMix64
    /// Box–Muller yields normals in pairs; the second is kept for the next call rather than thrown away.
    private var spareNormal: Double?

    /// Mixed into id counters only (`idBase`), so a per-run salt changes the ids and nothing else the seed fixes.
    var idSalt: UInt64 = 0

    init(seed: UInt64, idSalt: UInt64 = 0) {
        // Mixing the seed once keeps seeds 1, 2, 3… from starting on correlated first outputs.
        rng = SplitMix64(seed: seed ^ 0x5DEE_CE66_D1CE_4E5B)
        self.idSalt = idSalt
    }

    @inline(__always) mutating func next() -> UInt64 { rng.next() }

    /// Uniform on [0, 1) with 53 random bits.
    @inline(__always) mutating func uniform() -> Double {
        Double(rng.next() >> 11) * 0x1p-53
    }

    /// Uniform on (0, 1]: safe to take the logarithm of.
    @inline(__always) mutating func uniformPositive() -> Double {
        Double((rng.next() >> 11) + 1) * 0x1p-53
    }

    /// Uniform integer in 0..<n (n > 0); Lemire's multiply-shift, whose bias is below 2^-32 for the n used here.
    @inline(__always) mutating func below(_ n: Int) -> Int {
        Int((UInt64(UInt32(truncatingIfNeeded: rng.next() >> 32)) &* UInt64(n)) >> 32)
    }

    @inline(__always) mutating func chance(_ p: Double) -> Bool { uniform() < p }

    mutating func normal() -> Double {
        if let s = spareNormal {
            spareNormal = nil
            return s
        }
        let u1 = uniformPositive(), u2 = uniform()
        let r = (-2 * log(u1)).squareRoot()
        let a = 2 * Double.pi * u2
        spareNormal = r * sin(a)
        return r * cos(a)
    }

    /// Exponential with the given rate (mean 1/rate).
    @inline(__always) mutating func exponential(rate: Double) -> Double {
        -log(uniformPositive()) / rate
    }

    /// exp(N(mu, sigma²)): median e^mu.
    @inline(__always) mutating func logNormal(mu: Double, sigma: Double) -> Double {
        exp(mu + sigma * normal())
    }

    /// Pareto with minimum `scale` and tail index `alpha` (heavier tail for smaller alpha).
    @inline(__always) mutating func pareto(scale: Double, alpha: Double) -> Double {
        scale * pow(uniformPositive(), -1 / alpha)
    }

    /// Index drawn from cumulative weights `cdf` (last element 1).
    @inline(__always) mutating func pick(_ cdf: [Double]) -> Int {
        let u = uniform()
        var i = 0
        while i < cdf.count - 1, u >= cdf[i] { i += 1 }
        return i
    }
}

/// Turns weights into a cumulative table for `Draw.pick`.
func cumulative(_ weights: [Double]) -> [Double] {
    let total = weights.reduce(0, +)
    var acc = 0.0
    var out = weights.map { w -> Double in
        acc += w / total
        return acc
    }
    if !out.isEmpty { out[out.count - 1] = 1 }
    return out
}

/// Ranks 1...n drawn with probability ∝ rank^-s: symbol and user popularity is heavy-headed like this in practice.
struct ZipfSampler: Sendable {
    let cdf: [Double]
    let probabilities: [Double]
    let exponent: Double

    init(count: Int, exponent: Double) {
        self.exponent = exponent
        var weights = [Double](repeating: 0, count: count)
        var total = 0.0
        for r in 0..<count {
            weights[r] = pow(Double(r + 1), -exponent)
            total += weights[r]
        }
        var acc = 0.0
        var c = [Double](repeating: 0, count: count)
        for r in 0..<count {
            weights[r] /= total
            acc += weights[r]
            c[r] = acc
        }
        c[count - 1] = 1
        cdf = c
        probabilities = weights
    }

    var count: Int { cdf.count }

    /// A zero-based rank (0 is the most popular); binary search, so large pools (users) stay cheap.
    @inline(__always) func sample(_ draw: inout Draw) -> Int {
        let u = draw.uniform()
        var lo = 0, hi = cdf.count - 1
        while lo < hi {
            let mid = (lo + hi) >> 1
            if cdf[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

/// A stable 64-bit hash of text (FNV-1a), so per-symbol properties do not depend on the process or the seed.
func stableHash(_ s: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in s.utf8 {
        h ^= UInt64(b)
        h = h &* 0x0000_0100_0000_01B3
    }
    return h
}

/// Φ⁻¹(p), the standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
func inverseNormalCDF(_ p: Double) -> Double {
    let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
             6.680131188771972e+01, -1.328068155288572e+01]
    let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    func tail(_ q: Double) -> Double {
        (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    if p < low { return tail((-2 * log(p)).squareRoot()) }
    if p > 1 - low { return -tail((-2 * log(1 - p)).squareRoot()) }
    let q = p - 0.5, r = q * q
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
}

/// Lookup tables that replace transcendental functions in the order-book simulation's inner loop, where a
/// log, exp or sin per draw would cost more than the rest of an update. Resolution 1/4096 in probability
/// (normals are piecewise-linear between quantiles, clipped near ±3.6σ): ample for traffic realism.
struct FastDraws: Sendable {
    static let size = 4096
    /// Normal quantiles at (j + 0.5)/4097, j = 0…4096.
    let normal: [Double]
    /// exp(sizeSigma × normal[j]).
    let logNormal: [Double]
    /// ⌊log(u)/log(touchDecay)⌋ at u = (j + 0.5)/4096: geometric level distances.
    let geometric: [Int32]

    init(sizeSigma: Double, touchDecay: Double) {
        let n = Self.size
        let z = (0...n).map { inverseNormalCDF((Double($0) + 0.5) / Double(n + 1)) }
        normal = z
        logNormal = z.map { exp(sizeSigma * $0) }
        let ld = log(touchDecay)
        geometric = (0..<n).map { Int32(min(1_000_000, log((Double($0) + 0.5) / Double(n)) / ld)) }
    }

    @inline(__always) func normal(_ draw: inout Draw) -> Double {
        Self.interpolate(normal, draw.next())
    }

    @inline(__always) func logNormal(_ draw: inout Draw) -> Double {
        Self.interpolate(logNormal, draw.next())
    }

    @inline(__always) func geometric(_ draw: inout Draw) -> Int {
        Int(geometric[Int(draw.next() >> 52)])
    }

    @inline(__always) static func interpolate(_ t: [Double], _ r: UInt64) -> Double {
        let i = Int(r >> 52)
        let f = Double((r >> 20) & 0xFFFF_FFFF) * 0x1p-32
        let lo = t[i]
        return lo + (t[i + 1] - lo) * f
    }
}

/// Ids 1...n where small ids are more active, density ∝ x^-0.7: a heavy head without one id dominating
/// (the top ten of a million authors write under 2 % of posts).
struct ActivityPool: Sendable {
    let n: Double
    private let span: Double
    private static let exponent = 0.7

    init(count: Int) {
        n = Double(count)
        span = pow(n, 1 - Self.exponent) - 1
    }

    @inline(__always) func sample(_ draw: inout Draw) -> Int64 {
        let x = pow(1 + draw.uniform() * span, 1 / (1 - Self.exponent))
        return min(Int64(n), max(1, Int64(x)))
    }
}

extension Draw {
    /// A starting value for an id counter, 10^9…10^10, fixed by the seed and the id salt: runs with different seeds
    /// (two workloads of one kind, say) or different per-run salts do not reuse each other's event ids, which
    /// publishers use as de-duplication keys (`Nats-Msg-Id`). Salt 0 (`--repeatable-ids`) gives the seed's ids.
    mutating func idBase() -> Int64 {
        var mixed = next()
        if idSalt != 0 {
            var salted = SplitMix64(seed: mixed ^ idSalt)
            mixed = salted.next()
        }
        return 1_000_000_000 + Int64(mixed % 9_000_000_000)
    }
}
