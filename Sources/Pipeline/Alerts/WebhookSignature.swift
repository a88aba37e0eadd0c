import Crypto

/// The webhook signature: `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` (swift-crypto), and its
/// constant-time check, so a receiver learns nothing from how long a wrong signature takes to refuse.
public enum WebhookSignature {
    /// The `X-RiskSignal-Signature` value for this timestamp (ms) and body.
    public static func header(secret: String, timestamp: String, body: String) -> String {
        "sha256=" + hex(key: secret, message: timestamp + "." + body)
    }

    /// Hex HMAC-SHA256 of `message` under `key`.
    public static func hex(key: String, message: String) -> String {
        hex(key: Array(key.utf8), message: Array(message.utf8))
    }

    /// Hex HMAC-SHA256 over raw bytes.
    public static func hex(key: [UInt8], message: [UInt8]) -> String {
        hexString(HMAC<Crypto.SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    /// Whether `header` is the signature of this timestamp and body, compared in constant time.
    public static func isValid(header: String, secret: String, timestamp: String, body: String) -> Bool {
        guard header.hasPrefix("sha256="), let mac = bytes(fromHex: header.dropFirst(7)) else { return false }
        return HMAC<Crypto.SHA256>.isValidAuthenticationCode(mac, authenticating: Array((timestamp + "." + body).utf8),
                                                             using: SymmetricKey(data: Array(secret.utf8)))
    }

    static func hexString(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of a hex string; nil for odd length or a non-hex digit.
    static func bytes(fromHex text: Substring) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let h = nibble(u[i]), let l = nibble(u[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }
}
