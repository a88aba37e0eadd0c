/// Decodes link layer → IPv4/IPv6 → UDP/TCP for the link types captures of market and web traffic use.
public struct PacketDecoder: Sendable {
    /// What one packet turned out to be.
    public enum Decoded: Sendable {
        case udp(UDPDatagram)
        case tcp(TCPSegment)
        /// An IPv4 fragment (not reassembled: market feeds and WebSocket traffic don't fragment).
        case fragment
        /// Well-formed but not IP/UDP/TCP (ARP, ICMP, ...); counted under this name.
        case other(String)
        case malformed(String)
    }

    public let linkType: Int32

    /// Whether `linkType` is one this decoder understands.
    public static func supports(_ linkType: Int32) -> Bool {
        [0, 1, 12, 14, 101, 113, 276].contains(linkType)
    }

    public init(linkType: Int32) { self.linkType = linkType }

    public func decode(_ d: [UInt8], timestampNanos: Int64, index: Int) -> Decoded {
        func u16(_ o: Int) -> Int { Int(d[o]) << 8 | Int(d[o + 1]) }
        var off: Int
        var etherType: Int
        switch linkType {
        case 1:  // Ethernet, possibly 802.1Q / QinQ tagged
            guard d.count >= 14 else { return .malformed("Ethernet header needs 14 bytes, have \(d.count)") }
            etherType = u16(12)
            off = 14
            while etherType == 0x8100 || etherType == 0x88a8 {
                guard d.count >= off + 4 else { return .malformed("VLAN tag cut off") }
                etherType = u16(off + 2)
                off += 4
            }
        case 113:  // Linux cooked v1: 16-byte header, protocol at 14
            guard d.count >= 16 else { return .malformed("SLL header needs 16 bytes") }
            etherType = u16(14)
            off = 16
        case 276:  // Linux cooked v2: 20-byte header, protocol at 0
            guard d.count >= 20 else { return .malformed("SLL2 header needs 20 bytes") }
            etherType = u16(0)
            off = 20
        case 101, 12, 14:  // raw IP: version nibble tells v4/v6
            guard let f = d.first else { return .malformed("empty packet") }
            etherType = f >> 4 == 6 ? 0x86dd : 0x0800
            off = 0
        case 0:  // BSD loopback: 4-byte address family in host byte order of the capturing machine
            guard d.count >= 4 else { return .malformed("loopback header needs 4 bytes") }
            let le = Int(d[0]) | Int(d[1]) << 8, be = Int(d[3]) | Int(d[2]) << 8
            let family = d[0] == 0 && d[1] == 0 ? be : le
            etherType = family == 2 ? 0x0800 : ([24, 28, 30].contains(family) ? 0x86dd : -1)
            off = 4
        default:
            return .other("linktype.\(linkType)")
        }
        switch etherType {
        case 0x0800: return ipv4(d, off, timestampNanos, index)
        case 0x86dd: return ipv6(d, off, timestampNanos, index)
        default: return .other("ethertype.0x\(String(etherType, radix: 16))")
        }
    }

    private func ipv4(_ d: [UInt8], _ o: Int, _ ts: Int64, _ index: Int) -> Decoded {
        guard d.count >= o + 20 else { return .malformed("IPv4 header cut off") }
        guard d[o] >> 4 == 4 else { return .malformed("IP version \(d[o] >> 4) where IPv4 was expected") }
        let ihl = Int(d[o] & 0x0f) * 4
        let total = Int(d[o + 2]) << 8 | Int(d[o + 3])
        guard ihl >= 20, total >= ihl, d.count >= o + ihl else { return .malformed("bad IPv4 header length") }
        let flagsFrag = Int(d[o + 6]) << 8 | Int(d[o + 7])
        if flagsFrag & 0x2000 != 0 || flagsFrag & 0x1fff != 0 { return .fragment }
        // Trust the IP total length over the capture length (Ethernet pads short frames).
        let end = min(d.count, o + total)
        if o + total > d.count { return .malformed("IPv4 packet cut off: \(total) bytes declared, \(d.count - o) captured") }
        let src = UInt32(d[o + 12]) << 24 | UInt32(d[o + 13]) << 16 | UInt32(d[o + 14]) << 8 | UInt32(d[o + 15])
        let dst = UInt32(d[o + 16]) << 24 | UInt32(d[o + 17]) << 16 | UInt32(d[o + 18]) << 8 | UInt32(d[o + 19])
        return transport(d, proto: d[o + 9], o + ihl, end, { Endpoint(ipv4: src, port: $0) }, { Endpoint(ipv4: dst, port: $0) }, ts, index)
    }

    private func ipv6(_ d: [UInt8], _ o: Int, _ ts: Int64, _ index: Int) -> Decoded {
        guard d.count >= o + 40 else { return .malformed("IPv6 header cut off") }
        guard d[o] >> 4 == 6 else { return .malformed("IP version \(d[o] >> 4) where IPv6 was expected") }
        let payloadLength = Int(d[o + 4]) << 8 | Int(d[o + 5])
        let end = o + 40 + payloadLength
        if end > d.count { return .malformed("IPv6 packet cut off") }
        var next = d[o + 6]
        var p = o + 40
        // Walk the common extension headers; a fragment header means a fragment.
        while [0, 43, 60].contains(next) || next == 44 {
            if next == 44 { return .fragment }
            guard p + 8 <= end else { return .malformed("IPv6 extension header cut off") }
            next = d[p]
            p += (Int(d[p + 1]) + 1) * 8
        }
        let s = d[(o + 8)..<(o + 24)], t = d[(o + 24)..<(o + 40)]
        return transport(d, proto: next, p, end, { Endpoint(ipv6: s, port: $0) }, { Endpoint(ipv6: t, port: $0) }, ts, index)
    }

    private func transport(_ d: [UInt8], proto: UInt8, _ o: Int, _ end: Int, _ src: (UInt16) -> Endpoint, _ dst: (UInt16) -> Endpoint,
                           _ ts: Int64, _ index: Int) -> Decoded {
        func port(_ i: Int) -> UInt16 { UInt16(d[i]) << 8 | UInt16(d[i + 1]) }
        switch proto {
        case 17:
            guard end >= o + 8 else { return .malformed("UDP header cut off") }
            let len = Int(port(o + 4))
            guard len >= 8, o + len <= end else { return .malformed("UDP length \(len) does not fit the IP packet") }
            return .udp(UDPDatagram(source: src(port(o)), destination: dst(port(o + 2)), timestampNanos: ts, packetIndex: index,
                                    payload: Array(d[(o + 8)..<(o + len)])))
        case 6:
            guard end >= o + 20 else { return .malformed("TCP header cut off") }
            let dataOffset = Int(d[o + 12] >> 4) * 4
            guard dataOffset >= 20, o + dataOffset <= end else { return .malformed("bad TCP data offset") }
            func u32(_ i: Int) -> UInt32 { UInt32(d[i]) << 24 | UInt32(d[i + 1]) << 16 | UInt32(d[i + 2]) << 8 | UInt32(d[i + 3]) }
            return .tcp(TCPSegment(source: src(port(o)), destination: dst(port(o + 2)), sequence: u32(o + 4), acknowledgment: u32(o + 8),
                                   flags: d[o + 13], payload: Array(d[(o + dataOffset)..<end]), timestampNanos: ts, packetIndex: index))
        default:
            return .other("ipproto.\(proto)")
        }
    }
}
