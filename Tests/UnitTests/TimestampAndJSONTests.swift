import RiskSignalCore
import Testing

@Suite("Timestamps and JSON text")
struct TimestampAndJSONTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2025-11-22T18:00:00.123Z", Int64(1_763_834_400_123_000_000)),
        ("2025-11-22T19:00:00.123+01:00", Int64(1_763_834_400_123_000_000)),
        ("2025-11-22T18:00:00.123456789Z", Int64(1_763_834_400_123_456_789)),
        ("2024-02-29T12:00:00Z", Int64(1_709_208_000_000_000_000)),
        ("1969-12-31T23:59:59.5Z", Int64(-500_000_000)),
    ])
    func parsesISO8601(text: String, nanos: Int64) {
        #expect(Timestamp(iso8601: text)?.nanosSinceEpoch == nanos)
    }

    @Test(arguments: ["", "2025-11-22", "2026-13-01T00:00:00Z", "2025-11-22T18:00:00", "2025-11-22T18:00:00.Z", "2025-11-22T18:00:00Zjunk", "2025-11-22T25:00:00Z"])
    func rejectsMalformedISO8601(text: String) {
        #expect(Timestamp(iso8601: text) == nil)
    }

    @Test func formatsForClickHouseAndBack() {
        let t = Timestamp(nanosSinceEpoch: 1_763_834_400_123_999_999)
        #expect(t.clickHouseDateTime64 == "1763834400.123")
        #expect(t.iso8601 == "2025-11-22T18:00:00.123Z")
        #expect(Timestamp(nanosSinceEpoch: 5_000_000).clickHouseDateTime64 == "0.005")
        #expect(Timestamp(iso8601: t.iso8601)?.nanosSinceEpoch == 1_763_834_400_123_000_000)
    }

    @Test func escapesJSONStrings() {
        #expect(JSONText.quoted("plain") == "\"plain\"")
        #expect(JSONText.quoted("a\"b\\c\nd\u{01}é") == "\"a\\\"b\\\\c\\nd\\u0001é\"")
    }

    @Test func serialisesValuesCompactlyWithSortedKeys() {
        let v = JSONValue.object(["b": .array([.int(1), .double(2.5), .null]), "a": .bool(true), "c": .string("x\"y")])
        #expect(v.jsonText == #"{"a":true,"b":[1,2.5,null],"c":"x\"y"}"#)
    }
}
