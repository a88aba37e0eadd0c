import RiskSignalCore

/// Writes JSON straight into a new array's storage without Foundation: the generators' hot path, where
/// `String(format:)`, JSONEncoder or even per-byte `Array.append` would cost more than the simulation step.
/// `build` is given an upper bound of the payload size; every write checks it, so a wrong bound traps rather
/// than corrupting memory.
struct PayloadWriter {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private(set) var count = 0

    private init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    /// A payload of at most `capacity` bytes, written by `body`.
    @inline(__always)
    static func build(capacity: Int, _ body: (inout PayloadWriter) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            var w = PayloadWriter(base: buffer.baseAddress!, capacity: buffer.count)
            body(&w)
            initialized = w.count
        }
    }

    @inline(__always) private func ensure(_ n: Int) {
        precondition(n <= capacity &- count, "payload larger than the bound it was built with")
    }

    /// The text written from `start` to now (an event id inside the payload).
    func string(from start: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: base + start, count: count - start), as: UTF8.self)
    }

    @inline(__always) mutating func byte(_ b: UInt8) {
        ensure(1)
        base[count] = b
        count &+= 1
    }

    /// Pre-encoded text (field names and punctuation), copied in one go.
    @inline(__always) mutating func raw(_ b: [UInt8]) {
        let n = b.count
        ensure(n)
        b.withUnsafeBufferPointer { src in
            let dst = base + count
            if n <= 16 {
                for k in 0..<n { dst[k] = src[k] }
            } else {
                dst.update(from: src.baseAddress!, count: n)
            }
        }
        count &+= n
    }

    @inline(__always) mutating func raw(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        ensure(n)
        let src = s.utf8Start
        let dst = base + count
        if n <= 16 {
            for k in 0..<n { dst[k] = src[k] }
        } else {
            dst.update(from: src, count: n)
        }
        count &+= n
    }

    /// An integer's digits, with a sign when negative.
    @inline(__always) mutating func int(_ v: Int64) {
        if v < 0 { byte(UInt8(ascii: "-")) }
        uint(v.magnitude)
    }

    /// "00", "01", … "99" back to back, for writing two digits per division.
    private static let pairs: StaticString =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    @inline(__always) static func digitCount(_ v: UInt64) -> Int {
        // Comparisons only: a 64-bit division costs more than this whole ladder.
        if v < 10_000_000_000 {
            if v < 100_000 {
                return v < 10 ? 1 : v < 100 ? 2 : v < 1_000 ? 3 : v < 10_000 ? 4 : 5
            }
            return v < 1_000_000 ? 6 : v < 10_000_000 ? 7 : v < 100_000_000 ? 8 : v < 1_000_000_000 ? 9 : 10
        }
        var n = 11
        var p: UInt64 = 100_000_000_000
        while n < 20, v >= p {
            n += 1
            p = p &* 10
        }
        return n
    }

    /// Copies the two digits of `r` (0…99) to `at`.
    @inline(__always) private func pair(_ r: UInt32, at i: Int) {
        let two = UnsafeRawPointer(Self.pairs.utf8Start + Int(r) * 2).loadUnaligned(as: UInt16.self)
        UnsafeMutableRawPointer(base + i).storeBytes(of: two, as: UInt16.self)
    }

    /// Exactly four digits of `v` (< 10000), leading zeros included.
    @inline(__always) private func four(_ v: UInt32, at i: Int) {
        pair(v / 100, at: i)
        pair(v % 100, at: i + 2)
    }

    /// Writes the `n` lowest decimal digits of `v` ending just before `end`. Eight digits at a time in 32-bit
    /// halves, so the divisions (multiplications by constants) run in parallel instead of one long chain.
    @inline(__always) private func digits(_ v: UInt64, count n: Int, endingAt end: Int) {
        var x = v
        var i = end
        var left = n
        while left >= 8 {
            let chunk = UInt32(truncatingIfNeeded: x % 100_000_000)
            x /= 100_000_000
            i -= 8
            four(chunk / 10_000, at: i)
            four(chunk % 10_000, at: i + 4)
            left -= 8
        }
        var y = UInt32(truncatingIfNeeded: x % 100_000_000)
        if left >= 4 {
            i -= 4
            four(y % 10_000, at: i)
            y /= 10_000
            left -= 4
        }
        if left >= 2 {
            i -= 2
            pair(y % 100, at: i)
            y /= 100
            left -= 2
        }
        if left == 1 {
            base[i - 1] = 48 &+ UInt8(truncatingIfNeeded: y % 10)
        }
    }

    @inline(__always) mutating func uint(_ v: UInt64) {
        let n = Self.digitCount(v)
        ensure(n)
        digits(v, count: n, endingAt: count + n)
        count &+= n
    }

    /// `units / 10^decimals` with exactly `decimals` digits after the point (none when 0), or with trailing zeros
    /// trimmed: prices keep their tick's precision, so a consumer's book keys are exact.
    @inline(__always) mutating func fixed(_ units: Int64, decimals: Int, trimZeros: Bool = false) {
        if decimals <= 0 {
            int(units)
            return
        }
        if units < 0 { byte(UInt8(ascii: "-")) }
        let v = units.magnitude
        // At least one integer digit: 5 with 3 decimals is 0.005.
        let n = max(Self.digitCount(v), decimals + 1)
        ensure(n + 1)
        // All n digits one byte to the right, then the integer part (a few bytes) back left to open the point.
        let start = count
        digits(v, count: n, endingAt: start + 1 + n)
        let point = start + n - decimals
        for k in start..<point { base[k] = base[k + 1] }
        base[point] = UInt8(ascii: ".")
        var end = point + 1 + decimals
        if trimZeros {
            while end > point + 1, base[end - 1] == UInt8(ascii: "0") { end -= 1 }
            if end == point + 1 { end = point }
        }
        count = end
    }
}

/// UTF-8 of a string, for tables of pre-encoded fragments.
@inline(__always) func utf8(_ s: String) -> [UInt8] { Array(s.utf8) }

/// The bytes of `s` JSON-quoted with the shared escaper, computed once when a generator is built.
func quotedBytes(_ s: String) -> [UInt8] { Array(JSONText.quoted(s).utf8) }

/// Powers of ten as integers and doubles, for converting between tick units and prices exactly.
enum Pow10 {
    static let ints: [Int64] = (0...18).map { e in (0..<e).reduce(Int64(1)) { p, _ in p * 10 } }
    static let doubles: [Double] = (0...22).map { e in (0..<e).reduce(1.0) { p, _ in p * 10 } }
}

/// Decimal value of `units` with `decimals` digits after the point, rounded as a JSON parser rounds the printed text
/// (both operands are exact and IEEE division rounds correctly), so tests can compare for equality.
@inline(__always) func decimalValue(_ units: Int64, decimals: Int) -> Double {
    decimals <= 0 ? Double(units) : Double(units) / Pow10.doubles[decimals]
}
