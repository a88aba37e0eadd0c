import Foundation
import RiskSignalCore
import Testing

@Suite("Signal validation")
struct RiskSignalValidatorTests {
    let validator = RiskSignalValidator()
    let good = """
        {"event_time":"2025-11-22T18:00:00.123Z","source_id":"nextjs-app","event_type":"transaction",\
        "payload":{"amount":12.5,"currency":"USD","tags":["a",1,null,true]},"severity":2,\
        "trace_id":"123E4567-e89b-12d3-a456-426614174000","user_id":"u1",\
        "wallet_address":"0x52908400098527886E0F7030069857D2E4169EE7"}
        """

    @Test func acceptsSeedShapedMessage() throws {
        let s = try validator.validate(Array(good.utf8)).get()
        #expect(s.eventTime == Timestamp(iso8601: "2025-11-22T18:00:00.123Z"))
        #expect(s.severity == 2)
        #expect(s.traceID == "123e4567-e89b-12d3-a456-426614174000", "trace ids are stored lower-case")
        #expect(s.payload == #"{"amount":12.5,"currency":"USD","tags":["a",1,null,true]}"#)
        #expect(s.clickHouseRow().contains(#""event_time":"1763834400.123""#))
    }

    @Test func optionalFieldsMayBeAbsentOrNull() throws {
        let msg = #"{"event_time":"2025-11-22T18:00:00Z","source_id":"s","event_type":"t","payload":{},"severity":0,"trace_id":"123e4567-e89b-12d3-a456-426614174000","user_id":null}"#
        let s = try validator.validate(Array(msg.utf8)).get()
        #expect(s.userID == "")
        #expect(s.walletAddress == "")
    }

    @Test(arguments: [
        ("[1,2]", "$", "expected a JSON object"),
        ("{\"a\":", "$", "not valid JSON"),
        (#"{"source_id":"s"}"#, "event_time", "required field is missing"),
        (#"{"event_time":1763834400,"source_id":"s"}"#, "event_time", "got a number"),
        (#"{"event_time":"yesterday","source_id":"s"}"#, "event_time", "ISO 8601"),
        (#"{"event_time":"2025-11-22T18:00:00Z","source_id":"","event_type":"t"}"#, "source_id", "must not be empty"),
        (#"{"event_time":"2025-11-22T18:00:00Z","source_id":"s","event_type":7}"#, "event_type", "expected a string, got a number"),
        (#"{"event_time":"2025-11-22T18:00:00Z","source_id":"s","event_type":"t","payload":"x"}"#, "payload", "expected an object, got a string"),
        (#"{"event_time":"2025-11-22T18:00:00Z","source_id":"s","event_type":"t","payload":{},"severity":true}"#, "severity", "got a boolean"),
        (#"{"event_time":"2025-11-22T18:00:00Z","source_id":"s","event_type":"t","payload":{},"severity":11}"#, "severity", "got 11"),
        (#"{"event_time":"2025-11-22T18:00:00Z","source_id":"s","event_type":"t","payload":{},"severity":1.5}"#, "severity", "expected an integer"),
        (#"{"event_time":"2025-11-22T18:00:00Z","source_id":"s","event_type":"t","payload":{},"severity":1,"trace_id":"not-a-uuid"}"#, "trace_id", "expected a UUID"),
        (#"{"event_time":"2025-11-22T18:00:00Z","source_id":"s","event_type":"t","payload":{},"severity":1,"trace_id":"123e4567-e89b-12d3-a456-426614174000","wallet_address":"0x12"}"#, "wallet_address", "40 hex digits"),
        (#"{"event_time":"2025-11-22T18:00:00Z","source_id":"s","event_type":"t","payload":{},"severity":1,"trace_id":"123e4567-e89b-12d3-a456-426614174000","user_id":5}"#, "user_id", "expected a string or null"),
    ])
    func rejectsWithTheFieldThatFailed(message: String, field: String, fragment: String) {
        switch validator.validate(Array(message.utf8)) {
        case .success: Issue.record("accepted \(message)")
        case .failure(let e):
            #expect(e.field == field)
            #expect(e.message.contains(fragment), "\(e)")
        }
    }

    @Test func oversizeMessagesAreRejectedUnparsed() {
        let v = RiskSignalValidator(maxMessageBytes: 100)
        guard case .failure(let e) = v.validate(Array(good.utf8)) else { Issue.record("accepted"); return }
        #expect(e.field == "$")
        #expect(e.message.contains("100-byte limit"))
    }

    @Test func generatedTestSignalsAreValidAndDeterministic() throws {
        var a = TestSignalGenerator(seed: 9), b = TestSignalGenerator(seed: 9)
        let t = Timestamp(nanosSinceEpoch: 1_763_834_400_123_000_000)
        for _ in 0..<200 {
            let s = a.next(at: t)
            #expect(s == b.next(at: t))
            var back = try validator.validate(Array(s.messageJSON().utf8)).get()
            // The payload is re-serialised canonically (6259.0 becomes 6259); every other field is as sent.
            let canonical = try JSONParser.parse(Array(s.payload.utf8)).jsonText
            #expect(back.payload == canonical)
            back.payload = s.payload
            #expect(back == s)
        }
    }
}
