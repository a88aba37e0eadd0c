/// An IPv4 or IPv6 address and port; compact and hashable so it can key TCP flows.
public struct Endpoint: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// IPv4 addresses sit in the low 32 bits of `low` with `high == 0` and `isV6 == false`.
    public var high: UInt64
    public var low: UInt64
    public var isV6: Bool
    public var port: UInt16

    public init(ipv4: UInt32, port: UInt16) {
        high = 0
        low = UInt64(ipv4)
        isV6 = false
        self.port = port
    }

    public init(ipv6 bytes: some Collection<UInt8>, port: UInt16) {
        var h: UInt64 = 0, l: UInt64 = 0
        for (i, b) in bytes.prefix(16).enumerated() {
            if i < 8 { h = h << 8 | UInt64(b) } else { l = l << 8 | UInt64(b) }
        }
        high = h
        low = l
        isV6 = true
        self.port = port
    }

    public static func < (a: Endpoint, b: Endpoint) -> Bool {
        (a.isV6 ? 1 : 0, a.high, a.low, a.port) < (b.isV6 ? 1 : 0, b.high, b.low, b.port)
    }

    public var address: String {
        if !isV6 {
            let v = UInt32(truncatingIfNeeded: low)
            return "\(v >> 24).\(v >> 16 & 0xff).\(v >> 8 & 0xff).\(v & 0xff)"
        }
        let groups = (0..<4).map { String(high >> (48 - 16 * UInt64($0)) & 0xffff, radix: 16) }
            + (0..<4).map { String(low >> (48 - 16 * UInt64($0)) & 0xffff, radix: 16) }
        return groups.joined(separator: ":")
    }

    public var description: String { isV6 ? "[\(address)]:\(port)" : "\(address):\(port)" }
}
