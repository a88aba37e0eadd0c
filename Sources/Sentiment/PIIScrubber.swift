import RiskSignalCore
import Foundation

/// Removes personal data from post text before it is stored or sent to a third-party model.
///
/// Emails and phone numbers become `[email]` and `[phone]`: nothing downstream needs them. Handles and wallet
/// addresses become salted pseudonyms instead, because grouping activity by author or wallet is part of the
/// signal; the salt keeps the tokens from being reversed by hashing a list of known handles or addresses.
public struct PIIScrubber: Sendable {
    private let salt: [UInt8]

    /// `salt` should be a deployment secret: the same salt maps the same user or wallet to the same token.
    public init(salt: String) {
        self.salt = Array(salt.utf8)
    }

    /// Redacts emails and phone numbers; replaces user handles (@name, u/name) and wallet addresses (0x + 40 hex, bitcoin bech32 bc1…, base58 1…/3… 26-35 chars) with a salted hash token like `user_3fa2c1d9` / `wallet_9b0e…` (first 8 hex of SHA-256(salt+value)) so the same user/wallet maps to the same token.
    ///
    /// Handles and Ethereum/bech32 addresses are lowercased before hashing, since they are case-insensitive
    /// (`@Alice` and `@alice` are one account; EIP-55 capitals are only a checksum); base58 addresses are not.
    public func scrub(_ text: String) -> String {
        var copy = text
        let scrubbed: [UInt8]? = copy.withUTF8 { scrub(bytes: $0) }
        guard let scrubbed else { return text }
        return String(decoding: scrubbed, as: UTF8.self)
    }

    /// The token `scrub` gives `@handle`, for any author field, so one user maps to one token in text and metadata.
    ///
    /// Unlike `scrub`, this hashes the whole string even when it is not handle-shaped (spaces, hyphens, non-ASCII),
    /// so an author name never passes through in clear; a leading `@` is optional.
    public func userToken(for handle: String) -> String {
        var name = Substring(handle.trimmingCharacters(in: .whitespacesAndNewlines))
        if name.hasPrefix("@") { name = name.dropFirst() }
        return pseudonym("user", Array(("@" + name.lowercased()).utf8))
    }

    /// Scans once, trying the patterns only where a word can start; nil when nothing matched.
    private func scrub(bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var copiedUpTo = 0
        var i = 0
        while i < bytes.count {
            if i == 0 || !Self.isWordByte(bytes[i - 1]), let match = match(bytes, at: i) {
                if out.isEmpty { out.reserveCapacity(bytes.count + 16) }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copiedUpTo..<i]))
                out.append(contentsOf: match.replacement.utf8)
                i = match.end
                copiedUpTo = i
            } else {
                i += 1
            }
        }
        guard copiedUpTo > 0 else { return nil }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copiedUpTo...]))
        return out
    }

    private struct Match {
        var end: Int
        var replacement: String
    }

    private func match(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Match? {
        let c = b[i]
        // Emails first: their local part would otherwise be read as a word and their domain left behind.
        if Self.isAlnum(c), let end = Self.email(b, i) { return Match(end: end, replacement: "[email]") }
        if c == UInt8(ascii: "0"), let end = Self.ethereum(b, i) {
            return Match(end: end, replacement: pseudonym("wallet", Self.lowercased(b, i, end)))
        }
        if c | 0x20 == UInt8(ascii: "b"), let end = Self.bech32(b, i) {
            return Match(end: end, replacement: pseudonym("wallet", Self.lowercased(b, i, end)))
        }
        if c == UInt8(ascii: "1") || c == UInt8(ascii: "3"), let end = Self.base58(b, i) {
            return Match(end: end, replacement: pseudonym("wallet", Array(b[i..<end])))
        }
        if Self.isDigit(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "("), let end = Self.phone(b, i) {
            return Match(end: end, replacement: "[phone]")
        }
        if c == UInt8(ascii: "@"), let end = Self.handle(b, i) {
            return Match(end: end, replacement: pseudonym("user", Self.lowercased(b, i, end)))
        }
        if c | 0x20 == UInt8(ascii: "u") || c == UInt8(ascii: "/"), let (start, end) = Self.redditUser(b, i) {
            // "/u/name" and "u/name" are the same account.
            return Match(end: end, replacement: pseudonym("user", Array("u/".utf8) + Self.lowercased(b, start, end)))
        }
        return nil
    }

    private func pseudonym(_ kind: String, _ value: [UInt8]) -> String {
        kind + "_" + SHA256.hex(SHA256.digest(salt + value).prefix(4))
    }

    // MARK: Patterns (each returns the end index of a match starting at i)

    /// local@domain.tld — local part of [A-Za-z0-9._%+-], at least two domain labels, an alphabetic TLD.
    private static func email(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        var j = i
        while j < b.count, j - i < 64, isAlnum(b[j]) || isAny(b[j], "._%+-") { j += 1 }
        guard j < b.count, b[j] == UInt8(ascii: "@") else { return nil }
        var k = j + 1
        var labels = 0
        var end = -1
        var lastLabelStart = k
        while k < b.count, isAlnum(b[k]) {
            let start = k
            while k < b.count, isAlnum(b[k]) || b[k] == UInt8(ascii: "-") { k += 1 }
            labels += 1
            end = k
            lastLabelStart = start
            // A dot continues the domain only when a label follows; otherwise it ends the sentence.
            guard k + 1 < b.count, b[k] == UInt8(ascii: "."), isAlnum(b[k + 1]) else { break }
            k += 1
        }
        guard labels >= 2, end - lastLabelStart >= 2, (lastLabelStart..<end).allSatisfy({ isLetter(b[$0]) }) else {
            return nil
        }
        return end
    }

    /// 0x + exactly 40 hex digits.
    private static func ethereum(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard i + 42 <= b.count, b[i + 1] | 0x20 == UInt8(ascii: "x") else { return nil }
        for k in (i + 2)..<(i + 42) where !isHex(b[k]) { return nil }
        return endsWord(b, i + 42) ? i + 42 : nil
    }

    /// bc1 + 25…71 bech32 characters (P2WPKH addresses have 39, P2WSH/P2TR 59).
    private static func bech32(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard i + 3 <= b.count, b[i + 1] | 0x20 == UInt8(ascii: "c"), b[i + 2] == UInt8(ascii: "1") else { return nil }
        var j = i + 3
        while j < b.count, bech32Charset.contains(b[j] | 0x20), isAlnum(b[j]) { j += 1 }
        let length = j - (i + 3)
        return (25...71).contains(length) && endsWord(b, j) ? j : nil
    }

    /// Legacy bitcoin: 1… or 3…, 26–35 base58 characters, with at least one letter so long numbers are left alone.
    private static func base58(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        var j = i
        var letters = 0
        while j < b.count, j - i <= 35, base58Alphabet.contains(b[j]) {
            if isLetter(b[j]) { letters += 1 }
            j += 1
        }
        return (26...35).contains(j - i) && letters > 0 && endsWord(b, j) ? j : nil
    }

    /// Phone numbers written in groups: "+1 415-555-0100", "(415) 555 0100", "+44 20 7946 0958", "415.555.0100".
    ///
    /// With a leading + (international form) any grouping of 10–15 digits counts. Without it the number must look
    /// like a national one (10–11 digits, 2–4 groups, ending in a 4-digit group), which keeps dates, prices and
    /// "1 000 000" out. When trailing groups spoil the match, shorter prefixes are tried.
    private static func phone(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        var j = i
        let international = b[j] == UInt8(ascii: "+")
        if international { j += 1 }
        var groups: [(length: Int, end: Int)] = []
        while j < b.count, groups.count < 8 {
            var k = j
            let parenthesised = b[k] == UInt8(ascii: "(")
            if parenthesised { k += 1 }
            let digitsStart = k
            while k < b.count, isDigit(b[k]) { k += 1 }
            let length = k - digitsStart
            guard length > 0 else { break }
            if parenthesised {
                guard k < b.count, b[k] == UInt8(ascii: ")") else { break }
                k += 1
            }
            groups.append((length, k))
            j = k
            guard j < b.count else { break }
            // One separator continues the number only if another group follows; "(415)555" and "+1(415)" need none.
            if isAny(b[j], " -."), j + 1 < b.count, isDigit(b[j + 1]) || b[j + 1] == UInt8(ascii: "(") {
                j += 1
            } else if !(parenthesised && isDigit(b[j])) && b[j] != UInt8(ascii: "(") {
                break
            }
        }
        var candidate = groups.count
        while candidate > 0 {
            let prefix = groups[0..<candidate]
            let digits = prefix.reduce(0) { $0 + $1.length }
            let end = prefix.last!.end
            let valid: Bool
            if international {
                valid = (10...15).contains(digits)
            } else {
                let firstOK = prefix.first!.length >= 2 || (prefix.first!.length == 1 && candidate >= 4)
                valid = (10...11).contains(digits) && (2...4).contains(candidate) && prefix.last!.length == 4
                    && prefix.allSatisfy { $0.length <= 4 } && firstOK
            }
            if valid, end == b.count || !isAlnum(b[end]) { return end }
            candidate -= 1
        }
        return nil
    }

    /// @name: X/Telegram handles of word characters, and Instagram/ENS-style names with inner dots (@john.doe).
    ///
    /// No upper length limit: a long handle is still personal data, and leaving it in clear is the worse failure.
    private static func handle(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        var j = i + 1
        while j < b.count {
            if isWordByte(b[j]) {
                j += 1
            } else if b[j] == UInt8(ascii: "."), j > i + 1, j + 1 < b.count, isWordByte(b[j + 1]) {
                j += 1  // a dot between name characters; a trailing one ends the sentence
            } else {
                break
            }
        }
        return j > i + 1 ? j : nil
    }

    /// u/name or /u/name (Reddit), name of at least 3 characters from [A-Za-z0-9_-]; returns the name's range.
    private static func redditUser(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Int, Int)? {
        var j = i
        if b[j] == UInt8(ascii: "/") { j += 1 }
        guard j + 2 < b.count, b[j] | 0x20 == UInt8(ascii: "u"), b[j + 1] == UInt8(ascii: "/") else { return nil }
        let start = j + 2
        var k = start
        while k < b.count, isWordByte(b[k]) || b[k] == UInt8(ascii: "-") { k += 1 }
        return k - start >= 3 ? (start, k) : nil
    }

    // MARK: Byte classes

    private static let bech32Charset = Set("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let base58Alphabet = Set("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)

    @inline(__always) private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) private static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    @inline(__always) private static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || isLetter(c) }
    @inline(__always) private static func isWordByte(_ c: UInt8) -> Bool { isAlnum(c) || c == UInt8(ascii: "_") }
    @inline(__always) private static func isHex(_ c: UInt8) -> Bool { isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) }
    private static func isAny(_ c: UInt8, _ set: StaticString) -> Bool {
        set.withUTF8Buffer { $0.contains(c) }
    }
    private static func endsWord(_ b: UnsafeBufferPointer<UInt8>, _ j: Int) -> Bool {
        j == b.count || !isWordByte(b[j])
    }
    private static func lowercased(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> [UInt8] {
        b[start..<end].map { isLetter($0) ? $0 | 0x20 : $0 }
    }
}
