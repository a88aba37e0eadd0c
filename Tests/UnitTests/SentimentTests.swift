import Foundation
@testable import Sentiment
import Testing
import RiskSignalCore

@Suite("Lexicon sentiment scorer")
struct LexiconSentimentTests {
    let provider: LexiconSentimentProvider

    init() throws {
        provider = try LexiconSentimentProvider.bundled()
    }

    func score(_ text: String) -> Double { provider.score(text: text).score }

    @Test func labelsClearPositiveNegativeAndNeutralPosts() {
        let positive = provider.score(text: "This project is great, the team is amazing and I love it")
        #expect(positive.label == .positive)
        #expect(positive.score > 0.5)

        let negative = provider.score(text: "Terrible news, we got rekt and lost everything")
        #expect(negative.label == .negative)
        #expect(negative.score < -0.5)

        let neutral = provider.score(text: "The meeting is at 3pm on Tuesday in the main office")
        #expect(neutral.label == .neutral)
        #expect(neutral.score == 0)
    }

    @Test func labelThresholdsAreVaders() {
        #expect(SentimentLabel(score: 0.05) == .positive)
        #expect(SentimentLabel(score: 0.0499) == .neutral)
        #expect(SentimentLabel(score: -0.0499) == .neutral)
        #expect(SentimentLabel(score: -0.05) == .negative)
    }

    @Test func negationFlipsAndDampens() {
        #expect(score("bullish") > 0)
        #expect(score("not bullish") < 0)
        #expect(score("bad") < 0)
        #expect(score("not bad") > 0)
        // Flipped and scaled by 0.74, so weaker than the plain opposite.
        #expect(abs(score("not bullish")) < abs(score("bullish")))
        #expect(score("this isn't good") < 0)
        #expect(score("I don’t love it") < 0)  // typographic apostrophe
        #expect(score("never been so bearish") > 0)
        // Any "…n't" contraction negates, and a negation three tokens back still counts.
        #expect(score("it mayn't be a disaster") > 0)
        #expect(score("not a very good sign") < 0)
    }

    @Test func negationStopsAtSentenceEnd() {
        #expect(score("Not sure. Great project") == score("Great project"))
        #expect(score("Not sure. Great project") > 0)
    }

    @Test func intensifiersAndDampenersChangeMagnitude() {
        #expect(score("very good") > score("good"))
        #expect(score("extremely bad") < score("bad"))
        #expect(score("absolutely bullish") > score("bullish"))
        #expect(score("slightly good") < score("good"))
        #expect(score("slightly good") > 0)
        #expect(score("kind of bad") > score("bad"))
        #expect(score("kind of bad") < 0)
        // Distance dampens a booster's effect.
        #expect(score("very good") > score("very much good"))
    }

    @Test func emojiAloneCarrySentiment() {
        let rockets = provider.score(text: "🚀🚀🚀")
        #expect(rockets.label == .positive)
        #expect(rockets.tokensCount == 3)
        #expect(provider.score(text: "💀📉").label == .negative)
        // Variation selectors and skin tones do not change the lookup.
        #expect(score("⚠️") == score("⚠"))
        #expect(score("⚠️") < 0)
        #expect(score("👍🏽") == score("👍"))
        #expect(score("👍🏽") > 0)
    }

    @Test func cryptoSlangAndPhrases() {
        #expect(score("rekt") < 0)
        #expect(score("this is a rug pull") < 0)
        #expect(score("total rug-pull") < 0)
        #expect(score("wagmi") > 0)
        #expect(score("ngmi") < 0)
        #expect(score("$PEPE to the moon") > 0)
        #expect(score("we are the exit liquidity") < 0)
        #expect(score("devs halted withdrawals, exchange insolvent") < 0)
        #expect(score("#bullish on this") > 0)
        // A phrase outranks its words: "rug" alone is negative, "rug pull" more so.
        #expect(score("rug pull") < score("rug"))
        #expect(score("not gonna make it") < 0)
    }

    @Test func butShiftsWeightToTheSecondClause() {
        #expect(score("The team is great but the token is terrible") < 0)
        #expect(score("The token is terrible but the team is great") > 0)
        #expect(score("good but bad") < score("good and bad"))
        // Words before the first "but" count half, words after it one and a half (good 1.9, bad -2.5, meh -0.3).
        #expect(abs(score("good but bad") - normalized(1.9 * 0.5 - 2.5 * 1.5)) < 1e-12)
        #expect(abs(score("love it but meh") - normalized(3.2 * 0.5 - 0.3 * 1.5)) < 1e-12)
    }

    @Test func matchesVadersArithmetic() {
        #expect(abs(score("good") - normalized(1.9)) < 1e-12)
        #expect(abs(score("not bad") - normalized(-2.5 * -0.74)) < 1e-12)
        #expect(abs(score("very good") - normalized(1.9 + 0.293)) < 1e-12)
        #expect(abs(score("very much good") - normalized(1.9 + 0.293 * 0.95)) < 1e-12)
        #expect(abs(score("good!!") - normalized(1.9 + 2 * 0.292)) < 1e-12)
        #expect(abs(score("so GOOD") - normalized(1.9 + 0.733 + 0.293)) < 1e-12)
    }

    /// VADER's normalisation of a valence sum into [-1, 1].
    func normalized(_ sum: Double) -> Double { sum / (sum * sum + 15).squareRoot() }

    @Test func capitalsAreEmphasisOnlyInMixedCase() {
        #expect(score("this is GREAT") > score("this is great"))
        #expect(score("this is TERRIBLE") < score("this is terrible"))
        // All-caps text is not shouting relative to itself.
        #expect(score("THIS IS GREAT") == score("this is great"))
        // Acronyms written in capitals in the lexicon are not emphasis.
        #expect(score("new ATH today") == score("new ath today"))
        // A capitalised booster counts for more.
        #expect(score("it is SO good") > score("it is so good"))
    }

    @Test func exclamationMarksAmplifyUpToFour() {
        #expect(score("great!") > score("great"))
        #expect(score("great!!!!") > score("great!!"))
        #expect(score("great!!!!!!!!") == score("great!!!!"))
        #expect(score("terrible!") < score("terrible"))
        #expect(score("!!!") == 0)
    }

    @Test func scoringIsDeterministic() async throws {
        let texts = [
            "BTC to the moon 🚀🚀 wagmi", "not bad at all", "rug pull!!! devs are scammers", "", "gm ser",
            "Kinda bullish but the chart looks TERRIBLE 📉",
        ]
        let again = try LexiconSentimentProvider.bundled()
        for text in texts {
            #expect(provider.score(text: text) == provider.score(text: text))
            #expect(provider.score(text: text) == again.score(text: text))
        }
        let batch = try await provider.score(texts)
        #expect(batch == texts.map { provider.score(text: $0) })
        #expect(provider.name == "lexicon")
    }

    @Test func scoresStayInRangeForJunk() {
        var rng = SplitMix64(seed: 0x5EED)
        let pieces = [
            "moon", "RUG", "pull", "not", "never", "very", "VERY", "but", "!", "!!!!!", "?", ".", " ", " ", "\n",
            "🚀", "💀", "⚠️", "👍🏽", "❤️‍🔥", "🇺🇸", "$BTC", "#rekt", "don't", "’", "'", "kind", "of", "@bob",
            "é", "e\u{301}", "Ω", "日本", "0x", "123", "3.5", "65,000", "\u{FE0F}", "\u{200D}", "#", "$", "great",
            "terrible", "wagmi", "to the moon", "scam", "LOVE", "hate", "slightly", "\t", "💎🙌", "🩸",
        ]
        for _ in 0..<500 {
            var text = ""
            for _ in 0..<Int(rng.next() % 40) {
                text += pieces[Int(rng.next() % UInt64(pieces.count))]
                if rng.next() % 3 == 0 { text += " " }
            }
            let result = provider.score(text: text)
            #expect(result.score.isFinite)
            #expect((-1.0...1.0).contains(result.score), "\(text.debugDescription) scored \(result.score)")
            #expect(result.label == SentimentLabel(score: result.score))
        }
        // Long, extreme posts approach but never leave [-1, 1].
        #expect(score(String(repeating: "AMAZING love 🚀 ", count: 500) + "!!!!!") <= 1)
        #expect(score(String(repeating: "terrible SCAM 💀 ", count: 500) + "!!!!!") >= -1)
    }

    @Test func countsEveryToken() {
        let result = provider.score(text: "Don't sell your $BTC, #HODL 🚀🚀 to the moon!!!")
        #expect(result.tokensCount == 10)
        #expect(Tokenizer.keys("Don't sell your $BTC, #HODL 🚀🚀 to the moon!!!") == [
            "don't", "sell", "your", "$btc", "hodl", "🚀", "🚀", "to", "the", "moon",
        ])
        #expect(Tokenizer.keys("price 65,000.50 vs 3.5x... Café ❤️‍🔥 🇺🇸 👍🏽") == [
            "price", "65,000.50", "vs", "3.5x", "café", "\u{2764}\u{200D}\u{1F525}", "🇺🇸", "👍",
        ])
        #expect(provider.score(text: "").tokensCount == 0)
        #expect(provider.score(text: "   ...!?  ").tokensCount == 0)
    }

    @Test func resultIsCodable() throws {
        let result = provider.score(text: "great")
        let decoded = try JSONDecoder().decode(SentimentResult.self, from: JSONEncoder().encode(result))
        #expect(decoded == result)
    }
}

@Suite("Lexicon word list")
struct LexiconTests {
    @Test func bundledLexiconLoads() throws {
        let lexicon = try Lexicon.bundled()
        #expect(lexicon.count > 400)
        #expect(try #require(lexicon.valence(of: "MOON")) > 0)
        #expect(try #require(lexicon.valence(of: "rug pull")) < 0)
        #expect(try #require(lexicon.valence(of: "⚠")) < 0)
        #expect(lexicon.valence(of: "tuesday") == nil)
    }

    @Test func bundledLexiconDoesNotShadowRules() throws {
        // A valence given for a modifier word would be silently ignored, so the list must not contain one.
        let lexicon = try Lexicon.bundled()
        for word in Rules.negations + Rules.boosters + Rules.dampeners + [Rules.contrast] {
            #expect(lexicon.valence(of: word) == nil, "\(word) is a rule word")
        }
    }

    @Test func parsesCommentsBlankLinesAndPhrases() throws {
        let lexicon = try Lexicon(tsv: "# comment\n\nmoon\t2.5\r\nRug Pull\t-3.5\n  # indented comment\n🚀\t2\n", source: "t.tsv")
        #expect(lexicon.count == 3)
        #expect(lexicon.valence(of: "moon") == 2.5)
        #expect(lexicon.valence(of: "rug-pull") == -3.5)
        #expect(lexicon.valence(of: "🚀") == 2)
    }

    @Test func malformedLineNamesFileAndLine() {
        let cases: [(String, Int, String)] = [
            ("# header\nmoon\t2.5\n\nmoon 2.5\n", 4, "tab"),
            ("moon\tvery\n", 1, "number"),
            ("moon\t9\n", 1, "between -4 and 4"),
            ("moon\t1\nbad\t-1\nMoon\t2\n", 3, "line 1"),
            ("\t1\n", 1, "token"),
            ("!!!\t1\n", 1, "letter"),
            ("moon\t1\t# note\n", 1, "exactly one tab"),
        ]
        for (tsv, line, hint) in cases {
            #expect {
                _ = try Lexicon(tsv: tsv, source: "test.tsv")
            } throws: { error in
                guard case .malformedLine(let source, let reported, _, let expected) = error as? LexiconError else { return false }
                return source == "test.tsv" && reported == line && expected.contains(hint)
                    && "\(error)".hasPrefix("test.tsv:\(line): expected")
            }
        }
    }

    @Test func scorerUsesACustomLexicon() throws {
        let provider = LexiconSentimentProvider(lexicon: try Lexicon(tsv: "frobnicate\t3\n", source: "inline"))
        #expect(provider.score(text: "frobnicate").label == .positive)
        #expect(provider.score(text: "great").label == .neutral)
    }
}

@Suite("PII scrubbing")
struct PIIScrubberTests {
    let scrubber = PIIScrubber(salt: "pepper")

    @Test func redactsEmails() {
        #expect(scrubber.scrub("mail john.doe+crypto@example.co.uk now") == "mail [email] now")
        #expect(scrubber.scrub("Contact: Alice@Mail.com.") == "Contact: [email].")
    }

    @Test func redactsPhoneNumbers() {
        #expect(scrubber.scrub("call +1 415-555-0100 today") == "call [phone] today")
        #expect(scrubber.scrub("call (415) 555 0100 today") == "call [phone] today")
        #expect(scrubber.scrub("UK desk +44 20 7946 0958.") == "UK desk [phone].")
        #expect(scrubber.scrub("415.555.0100") == "[phone]")
        #expect(scrubber.scrub("+1 (415) 555-0100, ask for Bob") == "[phone], ask for Bob")
    }

    @Test func leavesNumbersThatAreNotPhonesAlone() {
        for text in [
            "BTC hit $65,000 on 2024-01-15 at 10:30", "up 1 000 000 000 sats", "+15% today", "order #4155550100",
            "block 19234567 confirmed", "3.5x leverage",
        ] {
            #expect(scrubber.scrub(text) == text)
        }
    }

    @Test func pseudonymisesEthereumAddresses() throws {
        let address = "0x52908400098527886E0F7030069857D2E4169EE7"
        let scrubbed = scrubber.scrub("send to \(address) pls")
        let token = "wallet_" + String(SHA256.hex("pepper" + address.lowercased()).prefix(8))
        #expect(scrubbed == "send to \(token) pls")
        #expect(scrubber.scrub("again \(address)") == "again \(token)")
        // EIP-55 capitals are a checksum, not a different wallet.
        #expect(scrubber.scrub(address.lowercased()) == token)
        #expect(PIIScrubber(salt: "other").scrub(address) != token)
        #expect(PIIScrubber(salt: "other").scrub(address).hasPrefix("wallet_"))
    }

    @Test func pseudonymisesBitcoinAddresses() {
        let bech32 = scrubber.scrub("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
        #expect(bech32.hasPrefix("wallet_") && bech32.count == 15)
        let legacy = scrubber.scrub("to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 and 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")
        let parts = legacy.split(separator: " ")
        #expect(parts.count == 4)
        #expect(parts[1].hasPrefix("wallet_") && parts[3].hasPrefix("wallet_") && parts[1] != parts[3])
    }

    @Test func pseudonymisesHandles() {
        let once = scrubber.scrub("@CryptoWhale says buy")
        let twice = scrubber.scrub("thanks @cryptowhale!")
        let token = "user_" + String(SHA256.hex("pepper@cryptowhale").prefix(8))
        #expect(once == "\(token) says buy")
        #expect(twice == "thanks \(token)!")
        let reddit = scrubber.scrub("posted by u/DiamondHands42 and /u/diamondhands42")
        let redditToken = "user_" + String(SHA256.hex("pepperu/diamondhands42").prefix(8))
        #expect(reddit == "posted by \(redditToken) and \(redditToken)")
    }

    @Test func handlesWithDotsAndAuthorFieldsAreFullyHashed() {
        let dotted = scrubber.scrub("cc @john.doe.")
        #expect(dotted == "cc user_" + String(SHA256.hex("pepper@john.doe").prefix(8)) + ".")
        // Author metadata gets the same token as the handle in text, and odd author strings never pass through.
        #expect(scrubber.userToken(for: "CryptoWhale") == scrubber.scrub("@cryptowhale"))
        #expect(scrubber.userToken(for: "@CryptoWhale") == scrubber.scrub("@CryptoWhale"))
        let odd = scrubber.userToken(for: "Jane Doe-Smith ✨")
        #expect(odd.hasPrefix("user_") && odd.count == 13 && !odd.contains("Jane"))
    }

    @Test func leavesPlainTextUntouched() {
        for text in [
            "BTC to the moon 🚀 wagmi", "Don't sell, #HODL $ETH", "rate is 5% a.b.c", "email me later", "",
            "user@localhost is not an address", "café ☕️ 日本語",
        ] {
            #expect(scrubber.scrub(text) == text)
        }
    }
}

@Suite("SHA-256")
struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
            == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test func paddingBoundaries() {
        // Lengths around the 55/56/64-byte padding edges, checked against coreutils sha256sum.
        let expected: [Int: String] = [
            55: "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
            56: "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
            63: "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34",
            64: "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
            65: "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0",
            119: "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb",
            120: "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c",
        ]
        for (length, digest) in expected {
            #expect(SHA256.hex(String(repeating: "a", count: length)) == digest, "length \(length)")
        }
    }
}

/// A tiny deterministic generator so the junk-input test is reproducible.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
