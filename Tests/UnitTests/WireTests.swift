import Foundation
import MarketData
import RiskSignalCore
import Testing

/// The wire toolkit: the one ISO-8601 reader, the byte-level JSON scanner and writer.
@Suite("Wire toolkit")
struct WireTests {
    // MARK: ISO-8601

    /// Every accepted form, including those only one of the three earlier readers took (noted per line).
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2025-11-22T18:00:00.123Z", Int64(1_763_834_400_123_000_000)),
        ("2025-11-22T18:00:00.123456789Z", Int64(1_763_834_400_123_456_789)),
        // Digits past the ninth are dropped, not rounded.
        ("2025-11-22T18:00:00.1234567899Z", Int64(1_763_834_400_123_456_789)),
        ("2025-11-22T19:00:00.123+01:00", Int64(1_763_834_400_123_000_000)),
        ("2025-11-22T17:30:00.123-00:30", Int64(1_763_834_400_123_000_000)),
        // ±HHMM: Timestamp and the L2 reader took it, FeedAdapters did not.
        ("2025-11-22T19:00:00.123+0100", Int64(1_763_834_400_123_000_000)),
        // Lower-case z and t: Timestamp and L2 only.
        ("2025-11-22t18:00:00.123z", Int64(1_763_834_400_123_000_000)),
        // A space for the T: all three.
        ("2025-11-22 18:00:00.123Z", Int64(1_763_834_400_123_000_000)),
        // A comma before the fraction: the L2 reader only.
        ("2025-11-22T18:00:00,123Z", Int64(1_763_834_400_123_000_000)),
        // Second 60 (leap second): Timestamp and FeedAdapters only; it reads as the next minute's first second.
        ("2016-12-31T23:59:60Z", Int64(1_483_228_800_000_000_000)),
        ("2024-02-29T12:00:00Z", Int64(1_709_208_000_000_000_000)),
        ("1969-12-31T23:59:59.5Z", Int64(-500_000_000)),
        ("2021-04-17T16:43:37.089723Z", Int64(1_618_677_817_089_723_000)),
    ])
    func iso8601AcceptsEveryForm(text: String, nanos: Int64) {
        #expect(ISO8601.nanos(text) == nanos)
        #expect(Timestamp(iso8601: text)?.nanosSinceEpoch == nanos)
        let bytes = Array(("x\"" + text + "\"").utf8)
        bytes.withUnsafeBytes { #expect(ISO8601.nanos($0, 2..<($0.count - 1)) == nanos, "a range inside a buffer") }
    }

    @Test(arguments: [
        "", "2025-11-22", "2025-11-22T18:00", "2025-11-22T18:00:00", "2025-11-22T18:00:00.Z", "2025-11-22T18:00:00Zjunk",
        "2025-11-22T25:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-02-30T18:00:00Z", "2025-02-29T00:00:00Z",
        "2026-04-31T00:00:00Z", "2025-11-22T18:60:00Z", "2025-11-22T18:00:61Z", "2025-11-22X18:00:00Z",
        "2025-11-22T18:00:00+1:00", "2025-11-22T18:00:00+24:00", "2025-11-22T18:00:00+01:60", "2025-11-22T18:00:00+01",
        "2025-11-22T18:00:00 Z", "+2025-11-22T18:00:00Z", "2263-01-01T00:00:00Z", "1600-01-01T00:00:00Z",
        "２０２５-11-22T18:00:00Z",
    ])
    func iso8601RefusesEverythingElse(text: String) {
        #expect(ISO8601.nanos(text) == nil)
        #expect(Timestamp(iso8601: text) == nil)
    }

    @Test func iso8601WriterReadsBack() {
        for nanos: Int64 in [0, 1, -1, 1_618_677_817_089_723_001, 1_763_834_400_123_456_789, -500_000_000] {
            var w = JSONBytes(capacity: 0)
            w.iso8601(nanos: nanos)
            let text = String(w.string.dropFirst().dropLast())
            #expect(ISO8601.nanos(text) == nanos, "\(text)")
        }
    }

    // MARK: Scanner

    private func scan<T>(_ text: String, _ body: (JSONScanner) throws -> T) rethrows -> T {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { try body(JSONScanner($0)) }
    }

    @Test func listsFieldsAsOffsets() throws {
        let text = #" {"a": 1, "b" :[1, {"x": "y"}], "c\"d": "e\u00e9", "n": null, "t": true} "#
        try scan(text) { (json: JSONScanner) throws in
            let fields = try json.rootFields()
            #expect(fields.count == 5)
            #expect(json.keyIs(fields[0], "a") && json.int64(fields[0].value) == 1)
            #expect(json.isArray(json.value(fields, "b")!))
            #expect(fields[2].keyEscaped)
            #expect(try json.key(fields[2]) == "c\"d")
            #expect(String(decoding: try json.stringBytes(at: fields[2].value), as: UTF8.self) == "eé")
            #expect(json.value(fields, "n") == nil, "null reads as absent")
            #expect(json.bool(json.value(fields, "t")!) == true)
            #expect(json.value(fields, "zz") == nil)
        }
    }

    @Test func keyEqualsDecodesEscapedKeys() throws {
        try scan(#"{"\u0074s": 5}"#) { (json: JSONScanner) throws in
            let f = try json.rootFields()[0]
            #expect(!json.keyIs(f, "ts"))
            #expect(try json.keyEquals(f, "ts"))
        }
    }

    @Test func walksArrays() throws {
        try scan(#"[ 1 , "two", [3], {} ]"#) { (json: JSONScanner) throws in
            var i = 0
            var starts: [Int] = []
            if try json.openArray(&i) {
                repeat {
                    starts.append(i)
                    try json.skipValue(&i)
                } while try json.nextElement(&i)
            }
            #expect(starts == [2, 6, 13, 18])
            #expect(i == 22)
        }
        try scan("[ ]") { (json: JSONScanner) throws in
            var i = 0
            #expect(try json.openArray(&i) == false)
            #expect(i == 3)
        }
    }

    @Test func readsNumbersAndNumericStrings() throws {
        try scan(#"[43000.10,"0.00012",-1.5e3,"12x",12x,0012,"42",42]"#) { (json: JSONScanner) throws in
            #expect(json.double(1) == 43000.10)
            #expect(json.double(10) == 0.00012)
            #expect(json.double(20) == -1500)
            #expect(json.double(27) == nil, "a numeric string must end at its quote")
            #expect(json.double(33) == nil, "a number must end at a delimiter")
            var i = 1
            #expect(json.scanNumber(&i)?.isInteger == false)
            i = 37
            #expect(json.scanNumber(&i) == nil, "leading zeros are not JSON")
            #expect(json.int64(42) == 42 && json.int64(47) == 42)
            #expect(json.int64(20) == nil, "negative is not an id")
        }
        try scan(#"["9223372036854775807","9223372036854775808"]"#) { (json: JSONScanner) throws in
            #expect(json.int64(1) == .max)
            #expect(json.int64(23) == nil)
            #expect(json.digits(2..<21) == .max)
        }
    }

    @Test(arguments: [
        (#"{"a":1,}"#, 7, "expected a field name in double quotes"),
        (#"{"a" 1}"#, 5, "expected ':' after a field name"),
        (#"{"a":[1,}"#, 8, "expected a value"),
        (#"{"a":[1 2]}"#, 8, "expected ',' or ']'"),
        (#"{"a":1"#, 6, "unterminated object"),
        (#"{"a":"x"#, 7, "unterminated string"),
        ("{\"a\":\"x\u{01}\"}", 7, "control character inside a string"),
        (#"{"a":"\q"}"#, 6, #"invalid escape '\q' in a string"#),
        (#"{"a":"\u12"}"#, 6, #"\u must be followed by 4 hex digits"#),
        (#"{"a":tru}"#, 5, "expected a value"),
        (#"{"a":1} x"#, 8, "unexpected data after the JSON object"),
        (#"[1]"#, 0, "expected a JSON object, got an array"),
        (String(repeating: "[", count: 40), 32, "nested deeper than 32 levels"),
    ])
    func syntaxErrorsGiveOffsetAndReason(text: String, offset: Int, message: String) throws {
        try scan(text) { (json: JSONScanner) throws in
            do throws(JSONScanError) {
                if text.hasPrefix("[[") {
                    var i = 0
                    try json.skipValue(&i)
                } else {
                    _ = try json.rootFields()
                }
                Issue.record("accepted \(text)")
            } catch {
                #expect(error == JSONScanError(offset: offset, message: message))
            }
        }
    }

    @Test func unescapesLikeJSONParser() throws {
        for text in [#""plain""#, #""a\"b\\c\/d\b\f\n\r\t""#, #""\u00e9\u20ac\ud83d\ude00""#] {
            guard case .string(let expected) = try JSONParser.parse(Array(text.utf8)) else { Issue.record("not a string"); continue }
            try scan(text) { (json: JSONScanner) throws in
                #expect(String(decoding: try json.stringBytes(at: 0), as: UTF8.self) == expected, "\(text)")
            }
        }
        // JSONParser refuses a lone surrogate; the scanner, reading exchange data, replaces it.
        try scan(#""x\ud83dy""#) { (json: JSONScanner) throws in
            #expect(String(decoding: try json.stringBytes(at: 0), as: UTF8.self) == "x\u{FFFD}y")
        }
    }

    @Test func describesValuesForErrors() throws {
        try scan(#"[{}, [], "\#(String(repeating: "s", count: 50))", 12.5, true]"#) { (json: JSONScanner) throws in
            #expect(json.describe(1) == "an object")
            #expect(json.describe(5) == "an array")
            #expect(json.describe(9) == "\"" + String(repeating: "s", count: 40) + "…\"")
            #expect(json.describe(63) == "12.5")
            #expect(json.describe(69) == "true")
            #expect(json.describe(200) == "end of input")
        }
    }

    /// The L2 decoder reads through the scanner: escapes in skipped fields are validated, escaped keys still match.
    @Test func l2DecoderUsesTheScannersStringRules() {
        let head = #"{"symbol":"BTC-USDT","exchange":"binance","type":"delta","event_time":1795370400123,"first_update_id":1,"last_update_id":2,"bids":[],"asks":[]"#
        #expect((try? L2Update.decode(Data((head + #","note":"a\u00e9\n"}"#).utf8)).get()) != nil)
        #expect((try? L2Update.decode(Data((head + #","ev\u0065nt_id":"x"}"#).utf8)).get())?.eventId == "x")
        guard case .failure(let e) = L2Update.decode(Data((head + #","note":"a\qb"}"#).utf8)) else {
            Issue.record("accepted an invalid escape")
            return
        }
        #expect(e.field == "note")
        #expect(e.message.hasSuffix(#"invalid escape '\q' in a string"#))
    }

    // MARK: Writer

    @Test func writerQuotesAndFormats() {
        var w = JSONBytes(capacity: 0)
        w.raw("{\"s\":")
        w.quoted("a\"b\\c\n\u{01}é")
        w.raw(",\"n\":")
        w.number(43000.1)
        w.byte(UInt8(ascii: ","))
        w.number(1e-8)
        w.byte(UInt8(ascii: ","))
        w.unsigned(.max)
        w.byte(UInt8(ascii: ","))
        w.padded(7, 3)
        w.raw("}")
        #expect(w.string == #"{"s":"a\"b\\c\n\u0001é","n":43000.1,0.00000001,18446744073709551615,007}"#)
        var out: [UInt8] = []
        JSONBytes.appendQuoted(Array("tab\there".utf8), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""tab\there""#)
    }
}
