import Foundation
import RiskSignalCore
import Testing

@Suite("JSONParser")
struct JSONParserTests {
    // MARK: Valid documents

    static let validDocuments: [(String, JSONValue)] = [
        // Scalars and surrounding whitespace.
        ("null", .null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        (" \t\r\n 42 \n\t\r ", .int(42)),
        ("\"\"", .string("")),
        ("\"hello\"", .string("hello")),
        // Integers.
        ("0", .int(0)),
        ("-0", .int(0)),
        ("7", .int(7)),
        ("-12345", .int(-12345)),
        ("1795370400123", .int(1_795_370_400_123)),
        ("9223372036854775807", .int(.max)),
        ("-9223372036854775808", .int(.min)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808.0)),
        ("-9223372036854775809", .double(-9_223_372_036_854_775_808.0)),
        ("12345678901234567890", .double(12_345_678_901_234_567_890.0)),
        ("100000000000000000000", .double(1e20)),
        ("18446744073709551621", .double(18_446_744_073_709_551_621.0)),  // 2^64 + 5: must not wrap around
        ("0.18446744073709551621", .double(0.18446744073709551621)),
        ("123456789012345678901234567890", .double(1.2345678901234568e29)),
        // Doubles (expected values are Swift literals, which the compiler rounds correctly).
        ("-0.0", .double(-0.0)),
        ("0.0", .double(0.0)),
        ("1.0", .double(1.0)),
        ("-1.0", .double(-1.0)),
        ("1e3", .double(1000.0)),
        ("1E3", .double(1000.0)),
        ("1e+3", .double(1000.0)),
        ("1.5E-3", .double(0.0015)),
        ("1.5e+3", .double(1500.0)),
        ("0.1", .double(0.1)),
        ("0.0123", .double(0.0123)),
        ("43000.10", .double(43000.10)),
        ("-3.0e-5", .double(-3.0e-5)),
        ("0.000001", .double(0.000001)),
        ("1e-7", .double(1e-7)),
        ("1e22", .double(1e22)),
        ("1e23", .double(1e23)),
        ("1e30", .double(1e30)),
        ("123e25", .double(123e25)),
        ("8.589973e9", .double(8.589973e9)),
        ("1e308", .double(1e308)),
        ("1.7976931348623157e308", .double(.greatestFiniteMagnitude)),
        ("5e-324", .double(.leastNonzeroMagnitude)),
        ("4.9406564584124654e-324", .double(.leastNonzeroMagnitude)),
        ("2.4703282292062328e-324", .double(.leastNonzeroMagnitude)),  // just above half the smallest subnormal
        ("2.4703282292062327e-324", .double(0.0)),  // just below half
        ("2.2250738585072011e-308", .double(Double(bitPattern: 0x000F_FFFF_FFFF_FFFF))),
        ("2.2250738585072014e-308", .double(.leastNormalMagnitude)),
        ("1e-400", .double(0.0)),
        ("-1e-400", .double(-0.0)),
        ("0e999999999999", .double(0.0)),
        ("9007199254740993.0", .double(9_007_199_254_740_992.0)),  // tie, rounds to even
        ("9007199254740995e0", .double(9_007_199_254_740_996.0)),
        ("1.00000000000000011102230246251565404236316680908203125", .double(1.0)),  // exact tie → even
        ("1.00000000000000011102230246251565404236316680908203126", .double(1.0000000000000002)),
        ("0.30000000000000004", .double(0.30000000000000004)),
        ("123456789012345.678", .double(123_456_789_012_345.678)),
        // Strings: escapes, \u, surrogate pairs, raw UTF-8.
        (#""\"\\\/\b\f\n\r\t""#, .string("\"\\/\u{8}\u{C}\n\r\t")),
        (#""\u00e9\u00E9\u0041""#, .string("ééA")),
        (#""\uD83D\uDE00""#, .string("😀")),
        (#""\ud83d\ude00x""#, .string("😀x")),
        (#""\uDBFF\uDFFF""#, .string("\u{10FFFF}")),
        (#""\u0000""#, .string("\u{0}")),
        (#""\u2028\u2029\uFFFF""#, .string("\u{2028}\u{2029}\u{FFFF}")),
        ("\"日本語 ünïcödé 😀 \u{10FFFF}\"", .string("日本語 ünïcödé 😀 \u{10FFFF}")),
        (#""mixed \u65e5 raw 本 \n end""#, .string("mixed 日 raw 本 \n end")),
        ("\"a\u{7F}b\"", .string("a\u{7F}b")),
        // Containers.
        ("{}", .object([:])),
        ("[]", .array([])),
        ("[ ]", .array([])),
        ("{ \n}", .object([:])),
        (" [ 1 , \"a\" , null , true , false , -2.5 ] ", .array([.int(1), .string("a"), .null, .bool(true), .bool(false), .double(-2.5)])),
        (#"{"a":{"b":[1,{"c":[]}]},"d":[[[]]],"":{}}"#, .object([
            "a": .object(["b": .array([.int(1), .object(["c": .array([])])])]),
            "d": .array([.array([.array([])])]),
            "": .object([:]),
        ])),
        ("{ \"k\" \t:\n\"v\" , \"n\" : [ ] }", .object(["k": .string("v"), "n": .array([])])),
        (#"{"a":1,"b":2,"a":3}"#, .object(["a": .int(3), "b": .int(2)])),  // last duplicate wins
        (#"{"\u00e9t\u00e9":"été","e\u0301":1}"#, .object(["été": .string("été"), "e\u{301}": .int(1)])),
        (#"[[1,[2,[3,[4]]]],{"x":{"y":{"z":null}}}]"#, .array([
            .array([.int(1), .array([.int(2), .array([.int(3), .array([.int(4)])])])]),
            .object(["x": .object(["y": .object(["z": .null])])]),
        ])),
        (JSONParserTests.sample, JSONParserTests.sampleValue),
        // A leading UTF-8 byte order mark is skipped (as JSONDecoder and JSONSerialization do).
        ("\u{FEFF}{\"a\":1}", .object(["a": .int(1)])),
        ("\u{FEFF} 1", .int(1)),
    ]

    static let sample = #"{"symbol":"BTC-USDT","exchange":"binance","event_time":1795370400123,"trade_id":123456,"price":"43000.10","quantity":0.0123,"side":"BUY","taker":true,"order_id":987654,"metadata":{"a":[1,2,3]}}"#
    static let sampleValue: JSONValue = .object([
        "symbol": .string("BTC-USDT"), "exchange": .string("binance"), "event_time": .int(1_795_370_400_123),
        "trade_id": .int(123_456), "price": .string("43000.10"), "quantity": .double(0.0123), "side": .string("BUY"),
        "taker": .bool(true), "order_id": .int(987_654), "metadata": .object(["a": .array([.int(1), .int(2), .int(3)])]),
    ])

    @Test(arguments: validDocuments)
    func parsesValidDocument(text: String, expected: JSONValue) throws {
        let parsed = try JSONParser.parse(Array(text.utf8))
        #expect(identical(parsed, expected), "\(text) parsed as \(parsed), expected \(expected)")
    }

    @Test func negativeZeroKeepsItsSign() throws {
        guard case .double(let d) = try JSONParser.parse(Array("-0.0".utf8)) else {
            Issue.record("-0.0 is not a double")
            return
        }
        #expect(d == 0 && d.sign == .minus)
        guard case .double(let e) = try JSONParser.parse(Array("-0e5".utf8)) else {
            Issue.record("-0e5 is not a double")
            return
        }
        #expect(e == 0 && e.sign == .minus)
    }

    @Test func agreesWithJSONDecoderOnTheSample() throws {
        let bytes = Array(Self.sample.utf8)
        let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        #expect(try JSONParser.parse(bytes) == foundation)
    }

    // MARK: Invalid documents

    static let invalidDocuments: [(String, Int)] = [
        ("", 0),
        ("   ", 3),
        ("\u{FEFF}", 3),
        ("\u{FEFF}\u{FEFF}1", 3),
        ("{", 1),
        ("[", 1),
        ("[[[]]", 5),
        ("]", 0),
        ("[1,]", 3),
        (#"["a",]"#, 5),
        (#"{"a":1,}"#, 7),
        ("[1,,2]", 3),
        ("[1 2]", 3),
        ("[1}", 2),
        (#"{"a":1]"#, 6),
        (#"{"a" 1}"#, 5),
        (#"{"a":}"#, 5),
        (#"{"a":1,"b"}"#, 10),
        (#"{"a":1 "b":2}"#, 7),
        ("{a:1}", 1),
        ("{'a':1}", 1),
        ("'a'", 0),
        ("[1,\n 2,\n x]", 9),
        ("[1]x", 3),
        ("1 2", 2),
        ("true false", 5),
        ("// c\n1", 0),
        ("/* */ 1", 0),
        ("1 // c", 2),
        // Literals.
        ("tru", 3),
        ("trUe", 2),
        ("nul", 3),
        ("nulll", 4),
        ("falsy", 4),
        ("True", 0),
        ("NaN", 0),
        ("Infinity", 0),
        ("-Infinity", 1),
        // Numbers.
        ("01", 1),
        ("-01", 2),
        ("00", 1),
        ("-", 1),
        ("--1", 1),
        ("-a", 1),
        ("+1", 0),
        (".5", 0),
        ("1.", 2),
        ("2.}", 2),
        ("1.e5", 2),
        ("1e", 2),
        ("1e+", 3),
        ("1E+-2", 3),
        ("1.5.3", 3),
        ("0x10", 1),
        ("1e400", 0),
        ("[0, -1e400]", 4),
        ("123456789e999999999999999", 0),
        // Strings.
        ("\"abc", 4),
        (#""\u00e9"#, 7),
        ("\"\\", 1),
        (#""\x""#, 1),
        (#""\U0041""#, 1),
        (#""\u12""#, 1),
        (#""\u12G4""#, 1),
        (#""\uD800""#, 1),
        (#""\uDC00""#, 1),
        (#""\uD800\u0041""#, 1),
        (#""\uD800\uD800""#, 1),
        (#""\uD800\uE000""#, 1),
        (#""\uD800\n""#, 1),
        (#"["ok","\uDE00x"]"#, 7),
        (#""ab\uD83D"#, 3),
        ("\"a\u{01}b\"", 2),
        ("\"a\nb\"", 2),
        ("\"a\tb\"", 2),
        ("\"\\n\u{1F}\"", 3),
        // Whitespace other than space, tab, CR, LF.
        ("\u{00A0}1", 0),
        ("\u{0C}1", 0),
        ("[1,\u{0B}2]", 3),
    ]

    @Test(arguments: invalidDocuments)
    func rejectsInvalidDocument(text: String, offset: Int) {
        let error = #expect(throws: JSONParseError.self, "\(text.debugDescription) should be rejected") {
            try JSONParser.parse(Array(text.utf8))
        }
        #expect(error?.offset == offset, "\(text.debugDescription): \(error.map(String.init(describing:)) ?? "no error")")
        #expect(error.map { !$0.message.isEmpty } == true)
    }

    @Test func errorDescriptionsSayWhereAndWhat() {
        func describe(_ text: String) -> String {
            do {
                _ = try JSONParser.parse(Array(text.utf8))
                return "no error"
            } catch {
                return error.description
            }
        }
        #expect(describe(#"{"symbol":"BTC-U"x}"#) == "at byte 17: expected ',' or '}' after an object member, got 'x'")
        #expect(describe("[1 2]") == "at byte 3: expected ',' or ']' after an array element, got '2'")
        #expect(describe("") == "at byte 0: expected a JSON value, got end of input")
        #expect(describe("{\"a\" 1}") == "at byte 5: expected ':' after an object key, got '1'")
        #expect(describe("[1,]") == "at byte 3: expected a JSON value, got ']'")
        #expect(describe("{\"a\":1,}") == "at byte 7: expected '\"' to begin an object key, got '}'")
        #expect(describe("01") == "at byte 1: leading zeros are not allowed in a number")
        #expect(describe("tru") == "at byte 3: expected 'e' to complete 'true', got end of input")
        #expect(describe("[1]x") == "at byte 3: expected end of input after the JSON value, got 'x'")
        #expect(describe("[é]") == "at byte 1: expected a JSON value, got 'é'")
        #expect(describe("\"a\nb\"") == "at byte 2: unescaped control character 0x0A in a string")
        #expect(describe(#""\uD800x""#) == #"at byte 1: unpaired UTF-16 high surrogate \uD800 in a string"#)
        #expect(describe("\"abc") == "at byte 4: expected '\"' to end the string that starts at byte 0, got end of input")
        #expect(describe("1e400") == "at byte 0: number 1e400 is out of range for a 64-bit float")
        #expect(describe("[[1]]").hasPrefix("no error"))
    }

    // MARK: UTF-8

    static let invalidUTF8: [([UInt8], Int)] = [
        ([0x22, 0xFF, 0x22], 1),
        ([0x22, 0xFE, 0x22], 1),
        ([0x22, 0x80, 0x22], 1),  // lone continuation byte
        ([0x22, 0xC0, 0x80, 0x22], 1),  // overlong NUL
        ([0x22, 0xC1, 0xBF, 0x22], 1),  // overlong
        ([0x22, 0xE0, 0x80, 0xAF, 0x22], 1),  // overlong 3-byte
        ([0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], 1),  // overlong 4-byte
        ([0x22, 0xED, 0xA0, 0x80, 0x22], 1),  // encoded surrogate U+D800
        ([0x22, 0xED, 0xBF, 0xBF, 0x22], 1),  // encoded surrogate U+DFFF
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),  // above U+10FFFF
        ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1),
        ([0x22, 0x61, 0xE2, 0x82, 0x22], 2),  // truncated 3-byte sequence
        ([0x22, 0xC3, 0x28, 0x22], 1),  // bad continuation
        ([0x22, 0xE2, 0x82], 1),  // truncated by the end of input
        ([0x22, 0x5C, 0x6E, 0xFF, 0x22], 3),  // after an escape
        ([0x22, 0xC3, 0xA9, 0x5C, 0x75, 0x30, 0x30, 0x34, 0x31, 0xC3, 0x22], 9),  // after non-ASCII and an escape
        ([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D], 2),  // in a key
        ([0xFF], 0),  // outside a string
        ([0xFE, 0xFF, 0x00, 0x31], 0),  // UTF-16 is not accepted
        ([0x5B, 0xC3, 0xA9, 0x5D], 1),
    ]

    @Test(arguments: invalidUTF8)
    func rejectsInvalidUTF8(bytes: [UInt8], offset: Int) {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        #expect(error?.offset == offset, "\(bytes): \(error.map(String.init(describing:)) ?? "no error")")
    }

    @Test func acceptsWellFormedMultiByteUTF8() throws {
        let cases: [([UInt8], String)] = [
            ([0x22, 0xC2, 0x80, 0x22], "\u{80}"),
            ([0x22, 0xDF, 0xBF, 0x22], "\u{7FF}"),
            ([0x22, 0xE0, 0xA0, 0x80, 0x22], "\u{800}"),
            ([0x22, 0xED, 0x9F, 0xBF, 0x22], "\u{D7FF}"),
            ([0x22, 0xEE, 0x80, 0x80, 0x22], "\u{E000}"),
            ([0x22, 0xEF, 0xBF, 0xBF, 0x22], "\u{FFFF}"),
            ([0x22, 0xF0, 0x90, 0x80, 0x80, 0x22], "\u{10000}"),
            ([0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22], "😀"),
            ([0x22, 0xF4, 0x8F, 0xBF, 0xBF, 0x22], "\u{10FFFF}"),
        ]
        for (bytes, expected) in cases {
            #expect(try JSONParser.parse(bytes) == .string(expected), "\(bytes)")
        }
    }

    // MARK: Depth

    @Test func enforcesTheDepthLimit() throws {
        func nestedArrays(_ depth: Int) -> [UInt8] {
            Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
        }
        _ = try JSONParser.parse(nestedArrays(64))
        let tooDeep = #expect(throws: JSONParseError.self) { try JSONParser.parse(nestedArrays(65)) }
        #expect(tooDeep?.offset == 64)
        #expect(tooDeep?.message == "exceeded the maximum nesting depth of 64")

        let objects = Array((String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)).utf8)
        #expect((#expect(throws: JSONParseError.self) { try JSONParser.parse(objects) })?.offset == 5 * 64)
        #expect(try JSONParser.parse(objects, maxDepth: 65) != .null)

        #expect(try JSONParser.parse(Array("[[1]]".utf8), maxDepth: 2) == .array([.array([.int(1)])]))
        #expect((#expect(throws: JSONParseError.self) { try JSONParser.parse(Array("[[1]]".utf8), maxDepth: 1) })?.offset == 1)
        #expect((#expect(throws: JSONParseError.self) { try JSONParser.parse(Array("[{}]".utf8), maxDepth: 1) })?.offset == 1)
        #expect(try JSONParser.parse(Array("7".utf8), maxDepth: 0) == .int(7))
        #expect((#expect(throws: JSONParseError.self) { try JSONParser.parse(Array("[]".utf8), maxDepth: 0) })?.offset == 0)

        // The parser does not recurse, so a generous limit works for deep (but sane) documents.
        var deep = try JSONParser.parse(nestedArrays(2_000), maxDepth: 2_000)
        var depth = 0
        while case .array(let inner) = deep {
            depth += 1
            guard let first = inner.first else { break }
            deep = first
        }
        #expect(depth == 2_000)
    }

    // MARK: Input forms

    @Test func acceptsEveryInputForm() throws {
        let text = #"  {"k":[1,"v"]}  "#
        let expected: JSONValue = .object(["k": .array([.int(1), .string("v")])])
        let bytes = Array(text.utf8)
        #expect(try JSONParser.parse(bytes) == expected)
        #expect(try bytes.withUnsafeBytes { raw throws(JSONParseError) in try JSONParser.parse(raw) } == expected)
        #expect(try JSONParser.parse(Data(bytes)) == expected)
        #expect(try JSONParser.parse(text.utf8) == expected)
        #expect(try JSONParser.parse(text.utf8.lazy.map { $0 }) == expected)  // not contiguous: copied
        #expect(try JSONParser.parse(ContiguousArray(bytes)) == expected)

        // A slice with a nonzero start index; offsets are relative to the slice.
        let framed = Array("xxxx[1,2]yyyy".utf8)
        #expect(try JSONParser.parse(framed[4..<9]) == .array([.int(1), .int(2)]))
        let sliceError = #expect(throws: JSONParseError.self) { try JSONParser.parse(framed[4...]) }
        #expect(sliceError?.offset == 5)

        let empty = #expect(throws: JSONParseError.self) { try JSONParser.parse(UnsafeRawBufferPointer(start: nil, count: 0)) }
        #expect(empty?.offset == 0)
        #expect((#expect(throws: JSONParseError.self) { try JSONParser.parse([UInt8]()) })?.offset == 0)
    }

    // MARK: Round trips

    @Test func roundTripsGeneratedValues() throws {
        var rng = JSONCorpusRNG(seed: 0x5EED_0001)
        for i in 0..<600 {
            let value = rng.value(depth: 4)
            let text = value.jsonText
            let parsed = try JSONParser.parse(Array(text.utf8))
            #expect(identical(parsed, value), "case \(i): \(text)")
            // Same value written with \u escapes (surrogate pairs for non-BMP), short escapes and whitespace.
            var escaped = ""
            rng.writeEscaped(value, to: &escaped)
            let reparsed = try JSONParser.parse(Array(escaped.utf8))
            #expect(identical(reparsed, value), "case \(i) escaped: \(escaped)")
        }
    }

    @Test func roundTripsEveryDoubleClass() throws {
        var rng = JSONCorpusRNG(seed: 0xD0B1E)
        var doubles: [Double] = [
            0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.3, 1e-7, 1e21, 1e22, 1e23, 123.456, 3.0, 1e16,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, .leastNormalMagnitude,
            .leastNormalMagnitude.nextDown, .ulpOfOne, 9_007_199_254_740_992.0, 9_007_199_254_740_994.0,
        ]
        for _ in 0..<5_000 {
            let d = Double(bitPattern: rng.next())
            if d.isFinite { doubles.append(d) }
        }
        for _ in 0..<5_000 {
            doubles.append(Double(Int64(bitPattern: rng.next()) % 100_000_000) / [1, 10, 100, 1000, 1e6][Int(rng.next() % 5)])
        }
        for d in doubles {
            let parsed = try JSONParser.parse(Array(d.description.utf8))
            guard case .double(let p) = parsed else {
                Issue.record("\(d.description) parsed as \(parsed)")
                continue
            }
            #expect(p.bitPattern == d.bitPattern, "\(d.description) parsed as \(p)")
        }
    }

    // MARK: Agreement with JSONSerialization

    @Test func agreesWithJSONSerialization() throws {
        var rng = JSONCorpusRNG(seed: 0xF0_0D)
        for i in 0..<400 {
            var text = ""
            rng.writeDocument(depth: 4, to: &text)
            let bytes = Array(text.utf8)
            let mine = try JSONParser.parse(bytes)
            let theirs = try JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)
            let difference = mismatch(mine, theirs, path: "$")
            #expect(difference == nil, "case \(i): \(difference ?? "")\n\(text)")
        }
    }

    @Test func numberLiteralsMatchTheStandardLibrary() throws {
        var rng = JSONCorpusRNG(seed: 0x4E_0001)
        var literals = (0..<20_000).map { _ in rng.numberLiteral() }
        // Short literals, which take the fast path.
        for _ in 0..<20_000 {
            let digits = String(rng.next() % 1_000_000_000_000_000)
            let point = rng.below(digits.count + 1)
            var s = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
            if s.hasPrefix(".") { s = "0" + s }
            if s.hasSuffix(".") { s += "0" }
            if s.hasPrefix("0"), s.count > 1, !s.hasPrefix("0.") { continue }
            literals.append(rng.below(2) == 0 ? s : s + "e" + String(rng.below(60) - 30))
        }
        for literal in literals {
            let parsed = try JSONParser.parse(Array(literal.utf8))
            let isIntegerLiteral = !literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
            if isIntegerLiteral, let i = Int64(literal) {
                #expect(parsed == .int(i), "\(literal)")
            } else if case .double(let d) = parsed, let expected = Double(literal) {
                #expect(d.bitPattern == expected.bitPattern, "\(literal): \(d) vs \(expected)")
            } else {
                Issue.record("\(literal) parsed as \(parsed)")
            }
        }
    }

    @Test func rejectsWhatJSONSerializationRejects() {
        for text in ["", "{", "[1 2]", "01", "\"\\x\"", "tru", "{\"a\"}", "\"\\uD800\"", "1e400", "-", "[1]]"] {
            let bytes = Array(text.utf8)
            #expect((try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)) == nil, "\(text)")
            #expect(throws: JSONParseError.self, "\(text)") { try JSONParser.parse(bytes) }
        }
    }
}

// MARK: - Helpers

/// Structural equality that also distinguishes .int from .double and compares doubles bit for bit (so -0.0 ≠ 0.0).
private func identical(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): true
    case (.bool(let x), .bool(let y)): x == y
    case (.int(let x), .int(let y)): x == y
    case (.double(let x), .double(let y)): x.bitPattern == y.bitPattern
    case (.string(let x), .string(let y)): Array(x.utf8) == Array(y.utf8)
    case (.array(let x), .array(let y)): x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
    case (.object(let x), .object(let y)):
        x.count == y.count && x.allSatisfy { key, value in y[key].map { identical(value, $0) } ?? false }
    default: false
    }
}

/// Where a JSONSerialization result differs from ours in structure or values, or nil when it agrees.
private func mismatch(_ mine: JSONValue, _ theirs: Any, path: String) -> String? {
    let same: Bool
    switch mine {
    case .null:
        same = theirs is NSNull
    case .bool(let b):
        guard let n = theirs as? NSNumber else { return "\(path): \(mine) vs \(theirs)" }
        same = String(cString: n.objCType) == "c" && n.boolValue == b
    case .int(let i):
        guard let n = theirs as? NSNumber else { return "\(path): \(mine) vs \(theirs)" }
        if n is NSDecimalNumber {
            same = n.stringValue == String(i)  // JSONSerialization keeps some 19-digit integers as decimals
        } else {
            let type = String(cString: n.objCType)
            same = type != "c" && type != "d" && type != "f" && n.int64Value == i
        }
    case .double(let d):
        guard let n = theirs as? NSNumber, String(cString: n.objCType) != "c" else { return "\(path): \(mine) vs \(theirs)" }
        if n is NSDecimalNumber {
            // JSONSerialization keeps long literals as NSDecimalNumber, whose doubleValue is not correctly
            // rounded; require close agreement (exactness is checked against Double(String) elsewhere).
            same = abs(n.doubleValue - d) <= abs(d) * 1e-13
        } else {
            same = n.doubleValue.bitPattern == d.bitPattern || (n.doubleValue == 0 && d == 0)
        }
    case .string(let s):
        same = (theirs as? String).map { Array($0.unicodeScalars) == Array(s.unicodeScalars) } ?? false
    case .array(let a):
        guard let t = theirs as? [Any], t.count == a.count else { return "\(path): \(mine) vs \(theirs)" }
        for (index, (x, y)) in zip(a, t).enumerated() {
            if let m = mismatch(x, y, path: "\(path)[\(index)]") { return m }
        }
        return nil
    case .object(let o):
        guard let t = theirs as? [String: Any], t.count == o.count else { return "\(path): \(mine) vs \(theirs)" }
        for (key, value) in o {
            guard let other = t[key] else { return "\(path): key \(key.debugDescription) missing" }
            if let m = mismatch(value, other, path: "\(path).\(key.debugDescription)") { return m }
        }
        return nil
    }
    return same ? nil : "\(path): \(mine) vs \(theirs) (\(type(of: theirs)))"
}

/// Deterministic generator of JSON values and documents.
private struct JSONCorpusRNG {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    static let scalars: [Unicode.Scalar] = [
        "a", "Z", "0", " ", "_", "-", ".", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{8}", "\u{C}", "\u{1F}",
        "\u{7F}", "é", "ß", "\u{80}", "\u{7FF}", "€", "中", "\u{800}", "\u{D7FF}", "\u{E000}", "\u{FFFD}", "\u{FFFF}",
        "\u{2028}", "😀", "🇸", "\u{10000}", "\u{10FFFF}", "\u{1F600}",
    ]

    mutating func string() -> String {
        var s = String.UnicodeScalarView()
        let length = below(4) == 0 ? below(40) : below(10)
        for _ in 0..<length {
            if below(3) == 0 {
                s.append(Self.scalars[below(Self.scalars.count)])
            } else {
                s.append(Unicode.Scalar(UInt8(0x61 + below(26))))
            }
        }
        return String(s)
    }

    mutating func double() -> Double {
        switch below(4) {
        case 0:
            while true {
                let d = Double(bitPattern: next())
                if d.isFinite { return d }
            }
        case 1: return Double(Int64(bitPattern: next()) % 10_000_000) / 1000
        case 2: return Double(below(1000)) + 0.5
        default: return [0.1, -0.0, 1e300, .leastNonzeroMagnitude, 1e-7, 2.5e21, 3.0, -7.0, 1e100][below(9)]
        }
    }

    mutating func value(depth: Int) -> JSONValue {
        let kind = depth == 0 ? below(6) : below(8)
        switch kind {
        case 0: return .null
        case 1: return .bool(below(2) == 0)
        case 2:
            switch below(3) {
            case 0: return .int(Int64(bitPattern: next()))
            case 1: return .int([Int64.min, .max, 0, -1, 1][below(5)])
            default: return .int(Int64(below(2000)) - 1000)
            }
        case 3: return .double(double())
        case 4, 5: return .string(string())
        case 6: return .array((0..<below(6)).map { _ in value(depth: depth - 1) })
        default:
            var o: [String: JSONValue] = [:]
            for _ in 0..<below(6) { o[string()] = value(depth: depth - 1) }
            return .object(o)
        }
    }

    mutating func whitespace(to out: inout String) {
        guard below(3) == 0 else { return }
        for _ in 0..<below(3) + 1 { out += [" ", "\t", "\n", "\r"][below(4)] }
    }

    /// Writes `value` as JSON with random whitespace and with strings escaped in every allowed way.
    mutating func writeEscaped(_ value: JSONValue, to out: inout String) {
        whitespace(to: &out)
        switch value {
        case .array(let a):
            out += "["
            whitespace(to: &out)
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                writeEscaped(v, to: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            whitespace(to: &out)
            for (i, (k, v)) in o.enumerated() {
                if i > 0 { out += "," }
                whitespace(to: &out)
                writeEscapedString(k, to: &out)
                whitespace(to: &out)
                out += ":"
                writeEscaped(v, to: &out)
            }
            out += "}"
        case .string(let s):
            writeEscapedString(s, to: &out)
        default:
            out += value.jsonText
        }
        whitespace(to: &out)
    }

    mutating func writeEscapedString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            let mustEscape = scalar.value < 0x20 || scalar == "\"" || scalar == "\\"
            switch (mustEscape, below(3)) {
            case (false, 0), (false, 1):
                out.unicodeScalars.append(scalar)
            default:
                let short: [Unicode.Scalar: String] = ["\"": "\\\"", "\\": "\\\\", "/": "\\/", "\u{8}": "\\b", "\u{C}": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"]
                if let e = short[scalar], below(2) == 0 {
                    out += e
                } else if scalar.value > 0xFFFF {
                    let v = scalar.value - 0x10000
                    out += "\\u" + hex4(0xD800 + (v >> 10)) + "\\u" + hex4(0xDC00 + (v & 0x3FF))
                } else {
                    out += "\\u" + hex4(scalar.value)
                }
            }
        }
        out += "\""
    }

    mutating func hex4(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: below(2) == 0)
        return String(repeating: "0", count: 4 - s.count) + s
    }

    /// Writes a random document whose numbers are random literals (not necessarily shortest or round-trippable).
    mutating func writeDocument(depth: Int, to out: inout String) {
        whitespace(to: &out)
        switch depth == 4 ? 6 + below(2) : (depth == 0 ? below(6) : below(8)) {
        case 0: out += "null"
        case 1: out += below(2) == 0 ? "true" : "false"
        case 2: out += String(Int64(bitPattern: next()) >> below(64))
        case 3: out += numberLiteral()
        case 4, 5: writeEscapedString(string(), to: &out)
        case 6:
            out += "["
            for i in 0..<below(6) {
                if i > 0 { out += "," }
                writeDocument(depth: depth - 1, to: &out)
            }
            whitespace(to: &out)
            out += "]"
        default:
            out += "{"
            var used: Set<String> = []
            for _ in 0..<below(6) {
                let key = string()
                guard used.insert(key).inserted else { continue }
                if used.count > 1 { out += "," }
                whitespace(to: &out)
                writeEscapedString(key, to: &out)
                whitespace(to: &out)
                out += ":"
                writeDocument(depth: depth - 1, to: &out)
            }
            whitespace(to: &out)
            out += "}"
        }
        whitespace(to: &out)
    }

    mutating func numberLiteral() -> String {
        var s = below(2) == 0 ? "-" : ""
        let digits = { (rng: inout JSONCorpusRNG, n: Int) -> String in
            String((0..<n).map { _ in Character(String(rng.below(10))) })
        }
        let intPart = digits(&self, below(20) + 1)
        s += intPart.count > 1 ? String(below(9) + 1) + intPart.dropFirst() : intPart
        if below(3) > 0 { s += "." + digits(&self, below(20) + 1) }
        if below(2) == 0 {
            s += ["e", "E"][below(2)] + ["", "+", "-"][below(3)] + String(below(280))
        }
        return s
    }
}
