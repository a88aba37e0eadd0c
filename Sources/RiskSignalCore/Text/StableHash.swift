/// A 64-bit hash that is the same in every process and on every platform (Swift's `Hasher` is seeded per process),
/// for ids derived from text: FNV-1a.
public enum StableHash {
    @inlinable
    public static func fnv1a<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }
}
