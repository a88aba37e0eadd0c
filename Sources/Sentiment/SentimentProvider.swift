import Foundation

/// The coarse polarity of a post, derived from its score.
public enum SentimentLabel: String, Sendable, Codable {
    case negative, neutral, positive

    /// The label for a score: at least 0.05 is positive, at most -0.05 negative, anything between neutral.
    ///
    /// These are VADER's thresholds; every provider uses them so labels stay comparable across providers.
    public init(score: Double) {
        if score >= 0.05 {
            self = .positive
        } else if score <= -0.05 {
            self = .negative
        } else {
            self = .neutral
        }
    }
}

/// The sentiment of one post: a score in [-1, 1], its label, and how many tokens it was read from.
public struct SentimentResult: Sendable, Equatable, Codable {
    /// From -1 (most negative) through 0 (neutral) to 1 (most positive).
    public var score: Double
    public var label: SentimentLabel
    /// How many tokens the provider read; a score drawn from a handful of tokens deserves less weight downstream.
    public var tokensCount: Int

    public init(score: Double, label: SentimentLabel, tokensCount: Int) {
        self.score = score
        self.label = label
        self.tokensCount = tokensCount
    }
}

/// Scores batches of post texts. Implementations: lexicon (offline), openai (later).
public protocol SentimentProvider: Sendable {
    /// A short, stable identifier stored next to each score, so scores from different providers are never mixed.
    var name: String { get }
    /// One result per text, in order.
    func score(_ texts: [String]) async throws -> [SentimentResult]
}
