import LoadSource
import RiskSignalCore

/// Seed 000's mock transaction signals on `signals.transaction`, from RiskSignalCore's `TestSignalGenerator`,
/// with `intended_ns` added; the event id is the signal's trace id.
public struct SignalGenerator: EventGenerator {
    /// The signal generator's settings; every field has the default listed in the table atop `GeneratorSpec.swift`.
    public struct Parameters: Sendable, Equatable {
        /// `source_id` of every signal.
        public var sourceID: String

        public init(sourceID: String = "risksignal-test-producer") {
            self.sourceID = sourceID
        }
    }

    public let kind = FeedKind.signals
    /// The one subject of the mock transaction signals.
    static let subject = FeedKind.signals.subjectPrefix + "transaction"
    public var feeds: [FeedKind] { [kind] }
    public let parameters: Parameters
    var generator: TestSignalGenerator

    public init(_ parameters: Parameters = Parameters(), seed: UInt64, idSalt: UInt64 = 0) throws(GeneratorParameterError) {
        guard !parameters.sourceID.isEmpty, parameters.sourceID.utf8.count <= 128 else {
            throw .init(parameter: "sourceID", message: "must be 1–128 bytes, got \(parameters.sourceID.utf8.count)")
        }
        self.parameters = parameters
        // A signal's id is its random trace_id, drawn with the content: a salt gives new ids (and new draws) per run.
        generator = TestSignalGenerator(seed: idSalt == 0 ? seed : seed ^ (idSalt | 1), sourceID: parameters.sourceID)
    }

    public mutating func next(at intendedNanos: Int64) -> GeneratedEvent {
        let signal = generator.next(at: Timestamp(nanosSinceEpoch: intendedNanos))
        let json = Array(signal.messageJSON().utf8)
        // messageJSON ends with the object's closing brace: intended_ns goes just before it.
        let payload = PayloadWriter.build(capacity: json.count + 40) { w in
            w.raw(Array(json.dropLast()))
            w.raw(",\"intended_ns\":")
            w.int(intendedNanos)
            w.byte(UInt8(ascii: "}"))
        }
        return GeneratedEvent(subject: Self.subject, payload: payload, eventID: signal.traceID, intendedNanos: intendedNanos)
    }

    /// Signals take no injections.
    public mutating func inject(_ injection: Injection, at intendedNanos: Int64) {}
}
