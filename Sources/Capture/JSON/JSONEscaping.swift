/// Appends JSON string literals to a byte buffer; input must already be valid UTF-8.
enum JSONEscaping {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func appendString(_ s: some Collection<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in s {
            switch c {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(c)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(c)
            case 0x0a: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0d: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(c >> 4)])
                out.append(hex[Int(c & 0xf)])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
