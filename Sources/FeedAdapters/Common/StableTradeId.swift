import RiskSignalCore

/// String trade ids (BitMEX `trdMatchID`, Bybit `i`, UUID-like) to the `UInt64` the trades table keys on.
///
/// An all-digit id is taken as its number (Bybit spot sends "2290000000060530710"). Anything else is hashed with
/// 64-bit FNV-1a over its bytes: stable across runs, processes and platforms (unlike `Hasher`, which is seeded per
/// process), so a replay writes the same ids as the live run. Collisions among n ids have probability ~n²/2^65,
/// about 3e-8 for a million trades of one symbol; `event_id` still carries nothing else, so a collision would merge
/// two trades downstream. That is accepted for these venues.
public enum StableTradeId {
    public static func from(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        if !bytes.isEmpty, bytes.count <= 19 {
            var v: UInt64 = 0
            var digits = true
            for b in bytes {
                let d = b &- UInt8(ascii: "0")
                guard d < 10 else { digits = false; break }
                v = v * 10 + UInt64(d)
            }
            if digits { return v }
        }
        return StableHash.fnv1a(bytes)
    }

    public static func from(_ s: String) -> UInt64 {
        var s = s
        return s.withUTF8 { from(UnsafeRawBufferPointer($0)) }
    }
}
