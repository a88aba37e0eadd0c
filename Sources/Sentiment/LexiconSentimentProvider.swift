import Foundation

/// Offline, deterministic sentiment from a word list plus VADER's rules (negation, boosters, capitals, "!", "but").
///
/// The rules and constants follow VADER (Hutto & Gilbert, 2014) so scores are comparable with its published
/// behaviour, with two deliberate changes: negations and boosters do not reach across sentence punctuation
/// ("Not sure. Great project" is positive), and multi-word lexicon phrases ("rug pull") are matched as one unit.
public struct LexiconSentimentProvider: SentimentProvider {
    public var name: String { "lexicon" }
    /// The word list this provider scores with.
    public let lexicon: Lexicon
    let table: ScoringTable

    public init(lexicon: Lexicon) {
        self.lexicon = lexicon
        self.table = ScoringTable(lexicon: lexicon)
    }

    /// A provider over the word list shipped in the module (`Resources/lexicon.tsv`).
    public static func bundled() throws(LexiconError) -> LexiconSentimentProvider {
        LexiconSentimentProvider(lexicon: try Lexicon.bundled())
    }

    /// Scores one text; pure and deterministic, so the same text always yields the same result.
    public func score(text: String) -> SentimentResult {
        var sink = ScoringSink(table: table, expectedTokens: text.utf8.count / 5 + 4)
        let stats = Tokenizer.tokenize(text, into: &sink)
        let score = Self.compound(sink: sink, table: table, exclamations: stats.exclamations)
        return SentimentResult(score: score, label: SentimentLabel(score: score), tokensCount: stats.tokens)
    }

    public func score(_ texts: [String]) async throws -> [SentimentResult] {
        var results = [SentimentResult]()
        results.reserveCapacity(texts.count)
        for (index, text) in texts.enumerated() {
            // Batches can be large; honour cancellation without paying for a check on every post.
            if index & 1023 == 0 { try Task.checkCancellation() }
            results.append(score(text: text))
        }
        return results
    }

    private static func compound(sink: ScoringSink, table: ScoringTable, exclamations: Int) -> Double {
        let tokens = sink.tokens
        let count = tokens.count
        // Capitals are emphasis only when the rest of the text is not also in capitals.
        let capsDifferential = sink.capsWords > 0 && sink.capsWords < sink.casedWords
        var sum = 0.0
        var i = 0
        while i < count {
            let token = tokens[i]
            var valence: Double
            var span = 1
            var shouted = token.allCaps
            if let phrase = table.longestPhrase(startingAt: i, in: tokens) {
                valence = phrase.valence
                span = phrase.rest.count + 1
                shouted = !phrase.capsAreNormal && tokens[i..<(i + span)].allSatisfy(\.allCaps)
            } else if token.role == .none, token.hasValence {
                valence = token.valence
            } else {
                i += 1
                continue
            }

            if capsDifferential, shouted {
                valence += valence > 0 ? Rules.capsIncrement : -Rules.capsIncrement
            }
            // VADER interleaves boosters and negations by distance, so "so not good" is boosted after the flip.
            var distance = 1
            while distance <= Rules.window, i - distance >= 0, tokens[i - distance].sentence == token.sentence {
                let modifier = tokens[i - distance]
                if modifier.role == .booster || modifier.role == .dampener {
                    var scalar = modifier.role == .booster ? Rules.boosterIncrement : -Rules.boosterIncrement
                    if valence < 0 { scalar = -scalar }
                    if capsDifferential, modifier.allCaps {
                        scalar += valence > 0 ? Rules.capsIncrement : -Rules.capsIncrement
                    }
                    if distance == 2 { scalar *= 0.95 } else if distance == 3 { scalar *= 0.9 }
                    valence += scalar
                } else if modifier.role == .negation {
                    valence *= Rules.negationScale
                }
                distance += 1
            }
            if sink.firstContrast >= 0 {
                if i < sink.firstContrast {
                    valence *= Rules.beforeContrast
                } else if i > sink.firstContrast {
                    valence *= Rules.afterContrast
                }
            }
            sum += valence
            i += span
        }

        let emphasis = Double(min(exclamations, Rules.maxExclamations)) * Rules.exclamationIncrement
        if sum > 0 {
            sum += emphasis
        } else if sum < 0 {
            sum -= emphasis
        }
        let score = sum / (sum * sum + Rules.normalizationAlpha).squareRoot()
        return min(1, max(-1, score))
    }
}

// MARK: - Rules

/// VADER's constants and modifier words. They are rules rather than lexicon entries: a valence given for one of
/// these words in the word list is ignored (the bundled list has none, and a test keeps it that way).
enum Rules {
    static let negationScale = -0.74
    static let boosterIncrement = 0.293
    static let capsIncrement = 0.733
    static let exclamationIncrement = 0.292
    static let maxExclamations = 4
    static let window = 3
    static let beforeContrast = 0.5
    static let afterContrast = 1.5
    /// Makes compound scores approach ±1 at the rate VADER was calibrated for.
    static let normalizationAlpha = 15.0

    static let negations: [String] = [
        "not", "no", "never", "none", "nobody", "nothing", "nowhere", "neither", "nor", "nope", "without",
        "hardly", "rarely", "seldom", "cannot",
        "ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't", "don't", "hadn't", "hasn't", "haven't",
        "isn't", "mightn't", "mustn't", "needn't", "oughtn't", "shan't", "shouldn't", "wasn't", "weren't", "won't",
        "wouldn't",
        // Posts often drop the apostrophe; the unambiguous forms ("wont" is, "cant" mostly is) still negate.
        "aint", "arent", "cant", "couldnt", "didnt", "doesnt", "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt",
        "mustnt", "neednt", "shouldnt", "wasnt", "werent", "wont", "wouldnt",
    ]

    static let boosters: [String] = [
        "absolutely", "amazingly", "awfully", "completely", "considerably", "decidedly", "deeply", "effing",
        "enormously", "entirely", "especially", "exceptionally", "extremely", "fabulously", "flippin", "flipping",
        "freaking", "fricking", "frickin", "frigging", "friggin", "fucking", "fuckin", "fully", "greatly", "hella",
        "highly", "hugely", "incredibly", "insanely", "intensely", "majorly", "massively", "more", "most",
        "particularly", "purely", "quite", "really", "remarkably", "seriously", "so", "substantially", "super",
        "thoroughly", "totally", "tremendously", "uber", "ultra", "unbelievably", "unusually", "utterly", "very",
        "wildly", "mega",
    ]

    static let dampeners: [String] = [
        "almost", "barely", "kinda", "kindof", "less", "little", "marginally", "occasionally", "partly", "scarcely",
        "slightly", "somewhat", "sorta", "sortof",
    ]

    static let contrast = "but"
}

// MARK: - Compiled lexicon

/// The lexicon and rules compiled for scoring: one dictionary lookup per token gives its valence, its role as a
/// modifier, and the phrases it may start, so the hot path does no string work beyond building the key.
struct ScoringTable: Sendable {
    enum Role: UInt8, Sendable {
        case none, negation, booster, dampener, contrast
    }

    struct Entry: Sendable {
        var id: Int32
        var valence = 0.0
        var hasValence = false
        var capsAreNormal = false
        var role = Role.none
        var phraseStart: Int32 = 0
        var phraseCount: Int32 = 0
    }

    struct CompiledPhrase: Sendable {
        /// Token ids after the first, compared by id so matching never touches strings.
        var rest: [Int32]
        var valence: Double
        var capsAreNormal: Bool
    }

    private(set) var entries: [String: Entry] = [:]
    private(set) var phrases: [CompiledPhrase] = []
    // "kind of" / "sort of" dampen like "kinda"; VADER special-cases them the same way.
    private(set) var ofID: Int32 = -1
    private(set) var kindID: Int32 = -1
    private(set) var sortID: Int32 = -1

    init(lexicon: Lexicon) {
        // Sorted so ids do not depend on this process's hash seed; it keeps debugging output reproducible.
        for (key, term) in lexicon.words.sorted(by: { $0.key < $1.key }) {
            entries[key] = Entry(id: Int32(entries.count), valence: term.valence, hasValence: true,
                                 capsAreNormal: term.capsAreNormal)
        }

        // Longest first, so "rug pull" followed by more text still prefers the longest phrase that fits.
        var byFirst: [String: [CompiledPhrase]] = [:]
        for phrase in lexicon.phrases {
            _ = id(for: phrase.tokens[0])
            let rest = phrase.tokens.dropFirst().map { id(for: $0) }
            byFirst[phrase.tokens[0], default: []].append(
                CompiledPhrase(rest: rest, valence: phrase.term.valence, capsAreNormal: phrase.term.capsAreNormal))
        }
        for first in byFirst.keys.sorted() {
            let group = byFirst[first]!.sorted { $0.rest.count > $1.rest.count }
            entries[first]?.phraseStart = Int32(phrases.count)
            entries[first]?.phraseCount = Int32(group.count)
            phrases.append(contentsOf: group)
        }

        for word in Rules.negations { assign(.negation, to: word) }
        for word in Rules.boosters { assign(.booster, to: word) }
        for word in Rules.dampeners { assign(.dampener, to: word) }
        assign(.contrast, to: Rules.contrast)
        ofID = id(for: "of")
        kindID = id(for: "kind")
        sortID = id(for: "sort")
    }

    private mutating func id(for key: String) -> Int32 {
        if let existing = entries[key] { return existing.id }
        let id = Int32(entries.count)
        entries[key] = Entry(id: id)
        return id
    }

    private mutating func assign(_ role: Role, to word: String) {
        _ = id(for: word)
        entries[word]?.role = role
    }

    /// The longest phrase starting at `i` that the following tokens of the same sentence complete.
    @inline(__always)
    func longestPhrase(startingAt i: Int, in tokens: [ScoredToken]) -> CompiledPhrase? {
        let first = tokens[i]
        guard first.phraseCount > 0 else { return nil }
        let start = Int(first.phraseStart)
        for p in start..<(start + Int(first.phraseCount)) {
            let phrase = phrases[p]
            guard i + phrase.rest.count < tokens.count else { continue }
            var matched = true
            for (offset, id) in phrase.rest.enumerated() {
                let next = tokens[i + 1 + offset]
                if next.id != id || next.sentence != first.sentence {
                    matched = false
                    break
                }
            }
            if matched { return phrase }
        }
        return nil
    }
}

/// One token as the scorer needs it: no string, just what the lookup found.
struct ScoredToken {
    var id: Int32 = -1
    var role = ScoringTable.Role.none
    var hasValence = false
    var allCaps = false
    var sentence: Int32
    var valence = 0.0
    var phraseStart: Int32 = 0
    var phraseCount: Int32 = 0
}

/// Looks each token up as the tokenizer emits it and tallies what the capitals rule needs.
struct ScoringSink: TokenSink {
    let table: ScoringTable
    var tokens: [ScoredToken] = []
    var capsWords = 0
    var casedWords = 0
    /// Index of the first "but"; VADER weighs around the first one only.
    var firstContrast = -1

    init(table: ScoringTable, expectedTokens: Int) {
        self.table = table
        tokens.reserveCapacity(expectedTokens)
    }

    mutating func accept(_ key: String, kind: TokenKind, allCaps: Bool, cased: Bool, sentence: Int32) {
        var token = ScoredToken(sentence: sentence)
        var capsAreNormal = false
        if let entry = table.entries[key] {
            token.id = entry.id
            token.role = entry.role
            token.hasValence = entry.hasValence
            token.valence = entry.valence
            token.phraseStart = entry.phraseStart
            token.phraseCount = entry.phraseCount
            capsAreNormal = entry.capsAreNormal
        } else if kind == .word, Self.endsWithNegatedContraction(key) {
            token.role = .negation  // any "…n't" negates, listed or not
        }
        if token.role == .none, token.id == table.ofID, let previous = tokens.last, previous.sentence == sentence,
            previous.id == table.kindID || previous.id == table.sortID
        {
            token.role = .dampener
        }
        // Cashtags and hashtags ($BTC, #HODL) are capitalised by convention, so only plain words count.
        if kind == .word, cased, !capsAreNormal {
            casedWords += 1
            if allCaps {
                capsWords += 1
                token.allCaps = true
            }
        }
        if token.role == .contrast, firstContrast < 0 { firstContrast = tokens.count }
        tokens.append(token)
    }

    private static func endsWithNegatedContraction(_ key: String) -> Bool {
        let utf8 = key.utf8
        guard utf8.count >= 4 else { return false }
        var tail = utf8.reversed().makeIterator()
        return tail.next() == UInt8(ascii: "t") && tail.next() == UInt8(ascii: "'") && tail.next() == UInt8(ascii: "n")
    }
}
