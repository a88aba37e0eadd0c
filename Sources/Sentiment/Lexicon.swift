import Foundation

/// Why a sentiment word list could not be loaded; each case says what to fix.
public enum LexiconError: Error, Equatable, CustomStringConvertible {
    /// A line of the word list is not `token<TAB>valence`; `line` is 1-based, `expected` says what the line needs.
    case malformedLine(source: String, line: Int, text: String, expected: String)
    /// The bundled word list is missing from the module's resources or could not be read.
    case missingResource(String)

    public var description: String {
        switch self {
        case .malformedLine(let source, let line, let text, let expected):
            let shown = text.prefix(120).replacingOccurrences(of: "\t", with: "\\t")
            return "\(source):\(line): expected \(expected), found \"\(shown)\". Fix or delete the line (comments start with #)."
        case .missingResource(let detail):
            return "the bundled sentiment lexicon is unavailable: \(detail)"
        }
    }
}

/// A sentiment word list: tokens and multi-word phrases with a valence in [-4, 4], keyed the way posts are tokenised.
///
/// The file format is one `token<TAB>valence` per line; blank lines and lines starting with `#` are skipped.
/// Entries are normalised with the same tokenizer that reads posts (lowercase, `’` → `'`, emoji without
/// variation selectors or skin tones), so an entry can never silently fail to match because of spelling.
/// An entry written in capitals (`ATH`, `FUD`) marks an acronym: capitals in a post are then not read as shouting.
public struct Lexicon: Sendable {
    struct Term: Sendable, Equatable {
        var valence: Double
        /// The word is normally written in capitals, so capitals carry no emphasis.
        var capsAreNormal: Bool
    }

    struct Phrase: Sendable, Equatable {
        var tokens: [String]
        var term: Term
    }

    /// The valence bounds of the VADER scale the rules are calibrated for.
    public static let valenceRange: ClosedRange<Double> = -4...4
    /// Longer phrases would make phrase matching scan further ahead for every candidate start.
    static let maxPhraseLength = 6

    let words: [String: Term]
    let phrases: [Phrase]

    /// How many entries (single tokens and phrases) the list holds.
    public var count: Int { words.count + phrases.count }

    /// Parses a word list; `source` names it in errors (a file path, or a label for inline text).
    public init(tsv: String, source: String) throws(LexiconError) {
        var words: [String: Term] = [:]
        var phrases: [Phrase] = []
        // Normalised entry → the line that defined it, so a duplicate can point at the first definition.
        var definedAt: [String: Int] = [:]

        // Splitting on Character.isNewline treats "\r\n" as one break, so files edited on Windows keep their line numbers.
        let lines = tsv.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            func fail(_ expected: String) -> LexiconError {
                .malformedLine(source: source, line: lineNumber, text: String(rawLine), expected: expected)
            }

            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2 else {
                throw fail("token<TAB>valence separated by exactly one tab (found \(fields.count - 1) tabs), e.g. \"moon\\t2.5\"")
            }
            let token = fields[0].trimmingCharacters(in: .whitespaces)
            let valenceText = fields[1].trimmingCharacters(in: .whitespaces)
            guard !token.isEmpty else { throw fail("a token before the tab") }
            guard let valence = Double(valenceText) else {
                throw fail("a number after the tab, e.g. \"moon\\t2.5\"")
            }
            guard Self.valenceRange.contains(valence) else {
                throw fail("a valence between -4 and 4")
            }
            let keys = Tokenizer.keys(token)
            guard !keys.isEmpty else { throw fail("a token with at least one letter, digit or emoji") }
            guard keys.count <= Self.maxPhraseLength else {
                throw fail("a phrase of at most \(Self.maxPhraseLength) words")
            }
            let normalised = keys.joined(separator: " ")
            if let first = definedAt[normalised] {
                throw fail("each entry once, but \"\(normalised)\" is already defined on line \(first)")
            }
            definedAt[normalised] = lineNumber

            let hasUpper = token.unicodeScalars.contains { $0.properties.isUppercase }
            let hasLower = token.unicodeScalars.contains { $0.properties.isLowercase }
            let term = Term(valence: valence, capsAreNormal: hasUpper && !hasLower)
            if keys.count == 1 {
                words[keys[0]] = term
            } else {
                phrases.append(Phrase(tokens: keys, term: term))
            }
        }
        self.words = words
        self.phrases = phrases
    }

    /// The word list shipped in the module's resources (`Resources/lexicon.tsv`).
    public static func bundled() throws(LexiconError) -> Lexicon {
        guard let url = Bundle.module.url(forResource: "lexicon", withExtension: "tsv") else {
            throw .missingResource(
                "lexicon.tsv is not in the Sentiment module bundle; declare it in Package.swift as "
                    + "resources: [.copy(\"Resources/lexicon.tsv\")] and rebuild")
        }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .missingResource("cannot read \(url.path) as UTF-8: \(error.localizedDescription)")
        }
        // Name the file by its place in the source tree: that is where a fix goes, not the build copy.
        return try Lexicon(tsv: text, source: "Sources/Sentiment/Resources/lexicon.tsv")
    }

    /// The valence of a token or phrase, normalised like post text (so `"MOON"` finds `moon`); nil when absent.
    public func valence(of entry: String) -> Double? {
        let keys = Tokenizer.keys(entry)
        if keys.count == 1 { return words[keys[0]]?.valence }
        return phrases.first { $0.tokens == keys }?.term.valence
    }
}

// MARK: - Tokenizer

/// What a token is, which decides how it is looked up and whether its capitals count as emphasis.
enum TokenKind: UInt8, Sendable {
    case word, hashtag, cashtag, emoji
}

/// Receives tokens as the tokenizer finds them, so scoring can look each one up without an intermediate array of strings.
protocol TokenSink {
    /// `key` is normalised (lowercase; hashtags without `#`; cashtags with `$`; emoji without modifiers).
    /// `allCaps`: at least two letters, none lowercase. `cased`: at least two letters. `sentence` increases at . ! ? ; and newlines.
    mutating func accept(_ key: String, kind: TokenKind, allCaps: Bool, cased: Bool, sentence: Int32)
}

struct TokenizerStats {
    var tokens = 0
    var exclamations = 0
}

/// Splits post text into words, #hashtags, $cashtags and emoji.
///
/// Works on UTF-8 bytes with an ASCII fast path, because posts are mostly ASCII and Character iteration
/// (grapheme breaking) would dominate scoring time; emoji sequences are grouped by hand instead.
enum Tokenizer {
    static func keys(_ text: String) -> [String] {
        var collector = KeyCollector()
        _ = tokenize(text, into: &collector)
        return collector.keys
    }

    static func tokenize<Sink: TokenSink>(_ text: String, into sink: inout Sink) -> TokenizerStats {
        var text = text
        return text.withUTF8 { bytes in
            var scanner = TokenScanner(bytes: bytes)
            scanner.run(into: &sink)
            return scanner.stats
        }
    }
}

struct KeyCollector: TokenSink {
    var keys: [String] = []
    mutating func accept(_ key: String, kind: TokenKind, allCaps: Bool, cased: Bool, sentence: Int32) {
        keys.append(key)
    }
}

private struct TokenScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var stats = TokenizerStats()
    private var buffer: [UInt8] = []
    private var kind = TokenKind.word
    private var open = false
    private var upper = 0
    private var lower = 0
    private var sentence: Int32 = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        buffer.reserveCapacity(32)
    }

    mutating func run<Sink: TokenSink>(into sink: inout Sink) {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                switch b {
                case UInt8(ascii: "a")...UInt8(ascii: "z"):
                    appendWordByte(b)
                    lower += 1
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    appendWordByte(b | 0x20)
                    upper += 1
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                    appendWordByte(b)
                case UInt8(ascii: "'"):
                    apostrophe(at: i, length: 1, into: &sink)
                case UInt8(ascii: "."), UInt8(ascii: ","):
                    // Keep 3.5 and 65,000 whole; anywhere else these end the token (and "." the sentence).
                    if open, kind == .word, let last = buffer.last, isDigit(last), i + 1 < n, isDigit(bytes[i + 1]) {
                        buffer.append(b)
                    } else {
                        flush(into: &sink)
                        if b == UInt8(ascii: ".") { sentence += 1 }
                    }
                case UInt8(ascii: "#"):
                    flush(into: &sink)
                    if i + 1 < n, startsWord(at: i + 1) { begin(.hashtag) }
                case UInt8(ascii: "$"):
                    flush(into: &sink)
                    if i + 1 < n, isASCIILetter(bytes[i + 1]) {
                        begin(.cashtag)
                        buffer.append(b)
                    }
                case UInt8(ascii: "!"):
                    flush(into: &sink)
                    stats.exclamations += 1
                    sentence += 1
                case UInt8(ascii: "?"), UInt8(ascii: ";"), UInt8(ascii: "\n"):
                    flush(into: &sink)
                    sentence += 1
                default:
                    flush(into: &sink)
                }
                i += 1
                continue
            }

            let (scalar, length) = decode(at: i)
            let value = scalar.value
            if value == 0x2019 {  // ’ typed by phones in don’t
                apostrophe(at: i, length: length, into: &sink)
            } else if value == 0xFE0F || value == 0xFE0E {
                // A stray variation selector (e.g. in the keycap 1️⃣) carries no meaning of its own.
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                if !open { begin(.word) }
                if scalar.properties.isUppercase {
                    upper += 1
                    buffer.append(contentsOf: scalar.properties.lowercaseMapping.utf8)
                } else {
                    if scalar.properties.isLowercase { lower += 1 }
                    appendRaw(i, length)
                }
            } else if open, kind != .emoji, isCombiningMark(scalar) {
                appendRaw(i, length)  // decomposed accents stay in their word
            } else if scalar.properties.isEmoji {
                flush(into: &sink)
                i = emoji(at: i, length: length, into: &sink)
                continue
            } else {
                flush(into: &sink)
            }
            i += length
        }
        flush(into: &sink)
    }

    // MARK: Pieces

    private mutating func apostrophe<Sink: TokenSink>(at i: Int, length: Int, into sink: inout Sink) {
        // Inside a word ("don't") it is part of the word; quotes around words are not.
        if open, kind != .cashtag, i + length < bytes.count, isLetterAt(i + length) {
            buffer.append(UInt8(ascii: "'"))
        } else {
            flush(into: &sink)
        }
    }

    /// Groups one emoji with its modifiers into a token; returns the index after it.
    ///
    /// Variation selectors and skin tones are dropped from the key so 👍, 👍🏽 and ⚠/⚠️ each share one lexicon entry;
    /// ZWJ sequences (❤️‍🔥) and flags stay whole because their parts mean something else alone.
    private mutating func emoji<Sink: TokenSink>(at start: Int, length: Int, into sink: inout Sink) -> Int {
        begin(.emoji)
        appendRaw(start, length)
        var i = start + length
        let first = bytes[start] == 0xF0 ? decode(at: start).0.value : 0
        let isRegionalIndicator = (0x1F1E6...0x1F1FF).contains(first)
        while i < bytes.count, bytes[i] >= 0x80 {
            let (next, nextLength) = decode(at: i)
            let v = next.value
            if v == 0xFE0F || v == 0xFE0E || (0x1F3FB...0x1F3FF).contains(v) {
                i += nextLength
            } else if v == 0x20E3 || (0xE0020...0xE007F).contains(v) {
                appendRaw(i, nextLength)
                i += nextLength
            } else if v == 0x200D {
                let after = i + nextLength
                guard after < bytes.count, bytes[after] >= 0x80 else { break }
                let (joined, joinedLength) = decode(at: after)
                guard joined.properties.isEmoji else { break }
                appendRaw(i, nextLength + joinedLength)
                i = after + joinedLength
            } else if isRegionalIndicator, (0x1F1E6...0x1F1FF).contains(v), buffer.count == 4 {
                appendRaw(i, nextLength)  // the second letter of a flag
                i += nextLength
            } else {
                break
            }
        }
        flush(into: &sink)
        return i
    }

    private mutating func begin(_ newKind: TokenKind) {
        open = true
        kind = newKind
    }

    @inline(__always)
    private mutating func appendWordByte(_ b: UInt8) {
        if !open { begin(.word) }
        buffer.append(b)
    }

    @inline(__always)
    private mutating func appendRaw(_ i: Int, _ length: Int) {
        for k in i..<(i + length) { buffer.append(bytes[k]) }
    }

    private mutating func flush<Sink: TokenSink>(into sink: inout Sink) {
        guard open else { return }
        // A lone "$" or "#" was only punctuation after all.
        let minimum = kind == .cashtag ? 2 : 1
        if buffer.count >= minimum {
            let key = String(decoding: buffer, as: UTF8.self)
            let letters = upper + lower
            sink.accept(key, kind: kind, allCaps: letters >= 2 && lower == 0, cased: letters >= 2, sentence: sentence)
            stats.tokens += 1
        }
        open = false
        kind = .word
        upper = 0
        lower = 0
        buffer.removeAll(keepingCapacity: true)
    }

    // MARK: Classification

    @inline(__always)
    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    @inline(__always)
    private func isASCIILetter(_ b: UInt8) -> Bool {
        let lowered = b | 0x20
        return lowered >= UInt8(ascii: "a") && lowered <= UInt8(ascii: "z")
    }

    private func startsWord(at i: Int) -> Bool {
        let b = bytes[i]
        if b < 0x80 { return isASCIILetter(b) || isDigit(b) || b == UInt8(ascii: "_") }
        let scalar = decode(at: i).0
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    private func isLetterAt(_ i: Int) -> Bool {
        let b = bytes[i]
        if b < 0x80 { return isASCIILetter(b) }
        return decode(at: i).0.properties.isAlphabetic
    }

    private func isCombiningMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }

    /// Decodes the scalar starting at `i`; `withUTF8` guarantees valid UTF-8, so no validation is needed.
    @inline(__always)
    private func decode(at i: Int) -> (Unicode.Scalar, Int) {
        let b0 = UInt32(bytes[i])
        let value: UInt32
        let length: Int
        if b0 < 0x80 {
            return (Unicode.Scalar(UInt8(b0)), 1)
        } else if b0 < 0xE0 {
            value = (b0 & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)
            length = 2
        } else if b0 < 0xF0 {
            value = (b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
            length = 3
        } else {
            value = (b0 & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12 | UInt32(bytes[i + 2] & 0x3F) << 6
                | UInt32(bytes[i + 3] & 0x3F)
            length = 4
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }
}
