import LoadSource
import RiskSignalCore

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Social posts on `social.raw.<source>`: templated text with sentiment words, slang and emoji in several languages,
/// Zipf-popular symbols, a realistic source mix and heavy-tailed engagement; `socialBuzz` floods one symbol with
/// strongly negative posts.
public struct SocialGenerator: EventGenerator {
    /// The social generator's settings; every field has the default listed in the table atop `GeneratorSpec.swift`.
    public struct Parameters: Sendable, Equatable {
        public var symbols: [String]?
        public var symbolCount: Int
        public var zipfExponent: Double
        /// Share of positive and negative posts; the rest are neutral.
        public var positiveFraction: Double
        public var negativeFraction: Double
        /// Share of English posts; the rest are es, pt, ja, ko and tr (5:4:4:4:3).
        public var englishFraction: Double
        /// Authors are `@user1`…`@user<authorPool>`, density ∝ id^-0.7 so a few post a lot.
        public var authorPool: Int
        /// Pareto tail index of likes (smaller: heavier tail; must be > 1 for a finite mean).
        public var engagementAlpha: Double

        public init(symbols: [String]? = nil, symbolCount: Int = 50, zipfExponent: Double = 1.1,
                    positiveFraction: Double = 0.4, negativeFraction: Double = 0.3, englishFraction: Double = 0.8,
                    authorPool: Int = 1_000_000, engagementAlpha: Double = 1.3) {
            self.symbols = symbols
            self.symbolCount = symbolCount
            self.zipfExponent = zipfExponent
            self.positiveFraction = positiveFraction
            self.negativeFraction = negativeFraction
            self.englishFraction = englishFraction
            self.authorPool = authorPool
            self.engagementAlpha = engagementAlpha
        }
    }

    /// One text template split around its `{S}` placeholders, each piece already JSON-escaped.
    struct Template: Sendable {
        let pieces: [[UInt8]]
        init(_ text: String) {
            pieces = text.split(separator: "{S}", omittingEmptySubsequences: false).map { piece in
                let q = quotedBytes(String(piece))
                return Array(q[1..<(q.count - 1)])
            }
        }
    }

    enum Sentiment: Int { case positive = 0, negative = 1, neutral = 2 }

    /// A running `socialBuzz`: until `until`, each post is about `symbol` with probability `share`.
    struct Buzz: Sendable {
        var symbol: Int
        var until: Int64
        var share: Double
    }

    static let languages = ["en", "es", "pt", "ja", "ko", "tr"]

    /// [language][sentiment] → templates. Plain text so it reads as real posts; `{S}` is the cashtag.
    static let texts: [[[String]]] = [
        [
            ["{S} to the moon 🚀", "just aped into more {S}, wagmi", "{S} breaking out, very bullish!",
             "loading up on {S} before the pump lfg", "{S} looking strong, hodl 💎🙌", "gm, {S} holders eating good today",
             "{S} ATH incoming, don't fade this", "accumulating {S} every dip, not selling", "{S} chart is beautiful, send it"],
            ["rug pull on {S}, rekt", "{S} looks bearish, expecting a dump", "sold all my {S}, ngmi",
             "{S} is a scam, devs dumping on retail", "{S} bleeding again 📉 this is painful", "liquidated on {S} longs, down bad",
             "not bullish on {S} tbh", "stay away from {S}, the fud is real this time", "{S} dead cat bounce, don't get trapped"],
            ["what's everyone's take on {S} today?", "{S} moving sideways, waiting for a breakout",
             "anyone know when the {S} unlock is?", "{S} volume picking up, watching closely", "chart check on {S}: still range bound",
             "{S} listed on another exchange today", "thread on {S} tokenomics below 🧵"],
        ],
        [
            ["{S} a la luna 🚀", "muy alcista con {S}, hodl", "compré más {S}, vamos!"],
            ["{S} se está desplomando, estafa", "vendí todo mi {S}, qué desastre", "{S} bajista, cuidado con el dump"],
            ["¿qué opinan de {S} hoy?", "{S} lateral, esperando confirmación"],
        ],
        [
            ["{S} vai explodir 🚀", "comprando mais {S}, muito otimista", "{S} rumo à lua, hodl"],
            ["{S} é golpe, perdi tudo", "{S} despencando de novo 📉", "saí do {S}, vai cair mais"],
            ["alguém acompanhando {S} hoje?", "{S} de lado, aguardando rompimento"],
        ],
        [
            ["{S} 爆上げ来た🚀", "{S} 買い増しした、強気", "{S} ガチホ💎"],
            ["{S} 暴落、損切りした😭", "{S} は詐欺っぽい、気をつけて", "{S} 売り圧すごい"],
            ["{S} の動き様子見", "{S} 今日どう思う？"],
        ],
        [
            ["{S} 떡상 가즈아 🚀", "{S} 추가 매수 완료, 존버", "{S} 상승 추세 확실"],
            ["{S} 폭락, 멘붕", "{S} 러그풀 조심하세요", "{S} 손절했습니다 😭"],
            ["{S} 오늘 어떻게 보세요?", "{S} 횡보 중"],
        ],
        [
            ["{S} uçuşa geçiyor 🚀", "{S} almaya devam, çok iyimserim", "{S} hodl, satmıyorum"],
            ["{S} çöktü, battık", "{S} dolandırıcılık, uzak durun", "{S} dump geliyor, dikkat"],
            ["{S} bugün ne olur sizce?", "{S} yatay seyrediyor"],
        ],
    ]

    /// What a `socialBuzz` floods the feed with: alarm, scam and exploit talk.
    static let buzzTexts = [
        "{S} rug pull confirmed, devs gone 🚨", "{S} exploit!!! withdraw everything now", "{S} hacked, funds drained, rekt",
        "{S} collapsing, exit liquidity everywhere 📉💀", "panic selling {S}, this is going to zero",
        "{S} team wallet dumping, total scam", "{S} depeg?? getting out before it's too late 😱",
    ]

    /// Endings added to some posts, by sentiment.
    static let suffixes = [
        [" 🚀", " 💎🙌", " 📈", " 🔥", " lfg", " wagmi", " #bullish"],
        [" 📉", " 💀", " 😭", " ngmi", " 🩸", " #bearish"],
        [" 👀", " 🤔", " #crypto", " nfa"],
    ]

    static let sources = ["twitter", "reddit", "telegram", "news"]

    public let kind = FeedKind.social
    public var feeds: [FeedKind] { [kind] }
    public let parameters: Parameters
    var draw: Draw
    let popularity: ZipfSampler
    /// Known symbols, then any a buzz targeted that is not among them.
    var infos: [SymbolInfo]
    var cashtags: [[UInt8]]
    let templates: [[[Template]]]
    let buzzTemplates: [Template]
    let suffixBytes: [[[UInt8]]]
    let sourceCDF = cumulative([0.50, 0.25, 0.15, 0.10])
    let languageCDF: [Double]
    let sentimentCDF: [Double]
    let subjects: [String]
    let sourceBytes: [[UInt8]]
    let languageBytes: [[UInt8]]
    let authors: ActivityPool
    /// Most bytes a post's text can take: the longest template with two cashtags and the longest ending.
    let textBound: Int
    var buzzes: [Buzz] = []
    var postNumber: Int64 = 0

    public init(_ parameters: Parameters = Parameters(), seed: UInt64, idSalt: UInt64 = 0) throws(GeneratorParameterError) {
        let p = parameters
        if let s = p.symbols { try ParameterCheck.symbols(s, "symbols") } else { try ParameterCheck.range(p.symbolCount, 1...999, "symbolCount") }
        try ParameterCheck.range(p.zipfExponent, 0...5, "zipfExponent")
        try ParameterCheck.fraction(p.positiveFraction, "positiveFraction")
        try ParameterCheck.fraction(p.negativeFraction, "negativeFraction")
        guard p.positiveFraction + p.negativeFraction <= 1 else {
            throw .init(parameter: "negativeFraction", message: "positiveFraction + negativeFraction must be ≤ 1, got \(p.positiveFraction + p.negativeFraction)")
        }
        try ParameterCheck.fraction(p.englishFraction, "englishFraction")
        try ParameterCheck.range(p.authorPool, 1...1_000_000_000, "authorPool")
        try ParameterCheck.range(p.engagementAlpha, 1.01...10, "engagementAlpha")
        self.parameters = p
        let universe = SymbolUniverse(names: p.symbols ?? SymbolUniverse.defaultSymbols(count: p.symbolCount))
        infos = universe.infos
        cashtags = universe.infos.map { utf8("$" + $0.base) }
        popularity = ZipfSampler(count: universe.count, exponent: p.zipfExponent)
        draw = Draw(seed: seed, idSalt: idSalt)
        postNumber = draw.idBase()
        templates = Self.texts.map { $0.map { $0.map(Template.init) } }
        buzzTemplates = Self.buzzTexts.map(Template.init)
        suffixBytes = Self.suffixes.map { $0.map { s in let q = quotedBytes(s); return Array(q[1..<(q.count - 1)]) } }
        let rest = 1 - p.englishFraction
        languageCDF = cumulative([p.englishFraction, rest * 5 / 20, rest * 4 / 20, rest * 4 / 20, rest * 4 / 20, rest * 3 / 20])
        sentimentCDF = cumulative([p.positiveFraction, p.negativeFraction, max(0, 1 - p.positiveFraction - p.negativeFraction)])
        subjects = Self.sources.map { FeedKind.social.subjectPrefix + $0 }
        sourceBytes = Self.sources.map(utf8)
        languageBytes = Self.languages.map(utf8)
        authors = ActivityPool(count: p.authorPool)
        let longest = (templates.flatMap { $0.flatMap { $0 } } + buzzTemplates).map { $0.pieces.reduce(0) { $0 + $1.count } }.max() ?? 0
        let placeholders = (templates.flatMap { $0.flatMap { $0 } } + buzzTemplates).map { $0.pieces.count - 1 }.max() ?? 0
        textBound = longest + placeholders * 40 + (suffixBytes.flatMap { $0 }.map(\.count).max() ?? 0)
    }

    public var symbols: [String] { Array(infos.prefix(popularity.count).map(\.symbol)) }

    /// Probability that an ordinary post is about `symbol` (0 for a symbol not in the list).
    public func mentionProbability(symbol: String) -> Double {
        guard let i = infos.firstIndex(where: { $0.symbol == symbol }), i < popularity.count else { return 0 }
        return popularity.probabilities[i]
    }

    public mutating func next(at intendedNanos: Int64) -> GeneratedEvent {
        postNumber += 1
        buzzes.removeAll { $0.until <= intendedNanos }
        var symbol = -1
        for b in buzzes where draw.uniform() < b.share {
            symbol = b.symbol
            break
        }
        let isBuzz = symbol >= 0
        if !isBuzz { symbol = popularity.sample(&draw) }
        let source = draw.pick(sourceCDF)
        let language = isBuzz ? 0 : draw.pick(languageCDF)
        let sentiment = isBuzz ? 1 : draw.pick(sentimentCDF)
        let template: Template
        if isBuzz {
            template = buzzTemplates[draw.below(buzzTemplates.count)]
        } else {
            let list = templates[language][sentiment]
            template = list[draw.below(list.count)]
        }
        let suffix = !isBuzz && draw.uniform() < 0.35 ? suffixBytes[sentiment][draw.below(suffixBytes[sentiment].count)] : nil
        let author = authors.sample(&draw)
        // Heavy tails: most posts get a handful of likes, a few go viral; news reaches further.
        let reach = source == 3 ? 5.0 : 1.0
        let likes = min(50_000_000, Int64(reach * draw.pareto(scale: 1, alpha: parameters.engagementAlpha)) - 1)
        let reposts = Int64(Double(likes) * 0.3 * draw.uniform())
        let replies = min(5_000_000, Int64(draw.pareto(scale: 1, alpha: 1.6)) - 1)
        return encode(symbol: symbol, source: source, language: language, template: template, suffix: suffix,
                      author: max(1, author), likes: max(0, likes), reposts: reposts, replies: max(0, replies),
                      intendedNanos: intendedNanos)
    }

    public mutating func inject(_ injection: Injection, at intendedNanos: Int64) {
        guard injection.kind == .socialBuzz, injection.magnitude > 1 else { return }
        var i = infos.firstIndex { $0.symbol == injection.target }
        if i == nil {
            guard FieldReader.isSymbol(injection.target) else { return }
            infos.append(SymbolInfo(symbol: injection.target))
            cashtags.append(utf8("$" + infos[infos.count - 1].base))
            i = infos.count - 1
        }
        guard let i else { return }
        // A symbol outside the list counts as being as rare as the least popular one.
        let p = i < popularity.count ? popularity.probabilities[i] : popularity.probabilities[popularity.count - 1]
        // Mentions rise m×: share + (1 − share)·p = m·p  ⇒  share = p(m − 1)/(1 − p), capped at every post.
        let share = p >= 1 ? 1 : min(1, p * (injection.magnitude - 1) / (1 - p))
        buzzes.append(Buzz(symbol: i, until: intendedNanos &+ injection.duration.totalNanoseconds, share: share))
    }

    // MARK: Encoding

    private static let head: StaticString = "{\"event_id\":\"post-"
    private static let timeKey: StaticString = "\",\"event_time\":"
    private static let sourceKey: StaticString = ",\"source\":\""
    private static let symbolKey: StaticString = "\",\"symbol\":"
    private static let languageKey: StaticString = ",\"language\":\""
    private static let textKey: StaticString = "\",\"text\":\""
    private static let authorKey: StaticString = "\",\"author\":\"@user"
    private static let likesKey: StaticString = "\",\"engagement\":{\"likes\":"
    private static let repostsKey: StaticString = ",\"reposts\":"
    private static let repliesKey: StaticString = ",\"replies\":"
    private static let intendedKey: StaticString = "},\"intended_ns\":"

    private func encode(symbol: Int, source: Int, language: Int, template: Template, suffix: [UInt8]?, author: Int64,
                        likes: Int64, reposts: Int64, replies: Int64, intendedNanos: Int64) -> GeneratedEvent {
        let info = infos[symbol]
        var eventID = ""
        let payload = PayloadWriter.build(capacity: textBound + info.symbolBytes.count + 260) { w in
            w.raw(Self.head)
            let idStart = w.count - 5
            w.int(postNumber)
            eventID = w.string(from: idStart)
            w.raw(Self.timeKey)
            w.int(intendedNanos / 1_000_000)
            w.raw(Self.sourceKey)
            w.raw(sourceBytes[source])
            w.raw(Self.symbolKey)
            w.raw(info.quotedSymbol)
            w.raw(Self.languageKey)
            w.raw(languageBytes[language])
            w.raw(Self.textKey)
            for (k, piece) in template.pieces.enumerated() {
                if k > 0 { w.raw(cashtags[symbol]) }
                w.raw(piece)
            }
            if let suffix { w.raw(suffix) }
            w.raw(Self.authorKey)
            w.int(author)
            w.raw(Self.likesKey)
            w.int(likes)
            w.raw(Self.repostsKey)
            w.int(reposts)
            w.raw(Self.repliesKey)
            w.int(replies)
            w.raw(Self.intendedKey)
            w.int(intendedNanos)
            w.byte(UInt8(ascii: "}"))
        }
        return GeneratedEvent(subject: subjects[source], payload: payload, eventID: eventID, intendedNanos: intendedNanos)
    }
}
