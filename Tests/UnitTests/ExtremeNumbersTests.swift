import Alerting
import FeedAdapters
import Foundation
import LoadSource
import MarketData
@testable import Pipeline
import Replay
import RiskSignalCore
import Scenario
import Testing

/// Issue 12, classes 1 and 3: every number from outside ends in a value or an error naming its field, never a trap.
/// A trap kills the test process, so a passing run of these property tests is the proof that none traps.

/// The edge cases every numeric field is fed, as JSON value text.
let extremeJSONValues: [String] = [
    "0", "-0", "1", "-1", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
    "18446744073709551615", "18446744073709551616", "99999999999999999999999999", "1e19", "-1e19", "1e300", "-1e300",
    "1e-300", "-1e-300", "1.7976931348623157e308", "4.9e-324", "1e400", "0.5", "123456789012.123456789",
    "10413792000000", "253402300799999", "-62135596800000", "32503680000000", "4102444800000",
    #""NaN""#, #""nan""#, #""inf""#, #""-inf""#, #""Infinity""#, #""-Infinity""#, #""1e300""#, #""-1""#, #""""#, #"" ""#,
    #""9223372036854775807""#, #""-9223372036854775808""#, #""18446744073709551616""#,
    #""2300-01-01T00:00:00Z""#, #""2262-04-11T23:47:16.854775807Z""#, #""2262-04-11T23:47:16.854775808Z""#,
    #""1677-09-21T00:12:43.145224192Z""#, #""1677-09-21T00:12:43.145224191Z""#, #""0001-01-01T00:00:00Z""#,
    #""9999-12-31T23:59:59.999Z""#, #""1900-01-01T00:00:00Z""#, #""1969-12-31T23:59:59Z""#, #""2106-02-07T06:28:16Z""#,
    #""2250-01-01 00:00:00 UTC""#, #""Tue Dec 01 00:00:21 +0000 2300""#, #""Tue, 01 Dec 9999 00:00:21 +0000""#,
    "\"" + String(repeating: "9", count: 5000) + "\"", "\"" + String(repeating: "x", count: 300) + "\"",
    "null", "true", "false", "[]", "{}", "[1e300]", #"{"a":1e300}"#,
]

/// A seeded stream of hostile values: random Int64 bit patterns, random Double bit patterns, and their text forms.
struct HostileValues: Sequence, IteratorProtocol {
    var state: UInt64
    var left: Int

    init(seed: UInt64, count: Int) { state = seed; left = count }

    mutating func nextRaw() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next() -> String? {
        guard left > 0 else { return nil }
        left -= 1
        let r = nextRaw()
        switch r % 6 {
        case 0: return String(Int64(bitPattern: nextRaw()))
        case 1:
            let d = Double(bitPattern: nextRaw())
            return d.isFinite ? "\(d)" : "\"\(d)\""
        case 2: return "\"\(Int64(bitPattern: nextRaw()))\""
        case 3: return String(Int64(bitPattern: nextRaw()) >> (r % 60))  // all magnitudes, including plausible epochs
        case 4: return "\(Double(Int64(bitPattern: nextRaw()) >> (r % 60)) / 1000)"
        default:
            let ts = Timestamp(nanosSinceEpoch: Int64(bitPattern: nextRaw()))
            return "\"\(ts.iso8601)\""
        }
    }
}

/// Runs `encoder` on `json` with `headers`, as the ingestor does.
func encodeMessage(_ encoder: some RowEncoder, _ json: String, subject: String, headers: [String: String] = [:]) -> Result<[String], ValidationError> {
    let bytes = Array(json.utf8)
    return bytes.withUnsafeBytes { p in
        let m = InboundMessage(subject: subject, payload: p, streamSequence: 7, header: { headers[$0] })
        return Result { () throws(ValidationError) in try encoder.rows(for: m) }
    }
}

@Suite("Checked conversions")
struct CheckedConversionTests {
    @Test func doublesToIntegersFailByNameInsteadOfTrapping() throws {
        for v in [Double.nan, .infinity, -.infinity, 1e300, -1e300, 9.3e18, -9.3e18, 9_223_372_036_854_775_808.0] {
            #expect(throws: NumberRangeError.self) { try Checked.int64(v, field: "x") }
            #expect(throws: NumberRangeError.self) { try Checked.int(v, field: "x") }
            do { _ = try Checked.int64(v, field: "workloads[0].rate") } catch { #expect(error.field == "workloads[0].rate") }
        }
        #expect(try Checked.int64(1.5, field: "x") == 2)
        #expect(try Checked.int64(-9_223_372_036_854_775_808.0, field: "x") == .min)
        #expect(throws: NumberRangeError.self) { try Checked.wholeInt(1.5, field: "x") }
        #expect(try Checked.wholeInt(40, field: "x", in: 1...100) == 40)
    }

    @Test func productsAndSumsReportOverflow() throws {
        #expect(throws: NumberRangeError.self) { try Checked.product(Int64.max, 2, field: "x") }
        #expect(throws: NumberRangeError.self) { try Checked.product(Int64.min, -1, field: "x") }
        #expect(throws: NumberRangeError.self) { try Checked.sum(Int64.max, 1, field: "x") }
        #expect(throws: NumberRangeError.self) { try Checked.sum(UInt64.max, 1, field: "x") }
        #expect(try Checked.product(3, 4, field: "x") == 12)
    }

    @Test func durationsFromSecondsAreBounded() throws {
        for s in [1e12, 1e300, Double.nan, Double.infinity, -1, -1e-9] {
            #expect(throws: NumberRangeError.self) { try Checked.duration(seconds: s, field: "d", max: .seconds(86_400)) }
        }
        #expect(try Checked.duration(seconds: 1.5, field: "d") == .milliseconds(1500))
        #expect(throws: NumberRangeError.self) { try Checked.nanoseconds(seconds: 9.3e9, field: "d") }
    }

    @Test func epochUnitsConvertWithoutOverflow() throws {
        #expect(try EpochUnit.milliseconds.nanos(Int64(1_606_780_821_000), field: "t") == 1_606_780_821_000_000_000)
        #expect(throws: NumberRangeError.self) { try EpochUnit.milliseconds.nanos(Int64(10_413_792_000_000), field: "event_time") }
        #expect(throws: NumberRangeError.self) { try EpochUnit.seconds.nanos(Int64.min, field: "t") }
        #expect(throws: NumberRangeError.self) { try EpochUnit.seconds.nanos(Double.nan, field: "t") }
        #expect(EpochUnit.guess(1_606_780_821) == .seconds)
        #expect(EpochUnit.guess(1_606_780_821_000) == .milliseconds)
        #expect(EpochUnit.guess(1_606_780_821_000_000) == .microseconds)
        #expect(EpochUnit.guess(1_606_780_821_000_000_000) == .nanoseconds)
    }

    @Test func timestampsFormatAtBothEndsOfInt64() {
        for ns in [Int64.min, Int64.min + 1, -1, 0, Int64.max - 1, Int64.max] {
            let t = Timestamp(nanosSinceEpoch: ns)
            #expect(!t.iso8601.isEmpty)
            #expect(!t.clickHouseDateTime64.isEmpty)
            #expect(!t.clickHouseDateTime64Micro.isEmpty)
        }
        #expect(Timestamp(nanosSinceEpoch: -1).clickHouseDateTime64 == "-1.999")
        #expect(Timestamp(nanosSinceEpoch: -1_500_000).clickHouseDateTime64 == "-1.998")
        #expect(Timestamp(nanosSinceEpoch: Int64.max).iso8601 == "2262-04-11T23:47:16.854Z")
    }
}

@Suite("Column limits")
struct ColumnLimitsTests {
    let now = Timestamp(iso8601: "2026-11-30T00:00:00Z")!

    @Test func eventTimesOutsideWhatTheTablesKeepAreRefusedByName() throws {
        for text in ["2250-01-01T00:00:00Z", "2106-02-08T00:00:00Z", "1977-01-01T00:00:00Z", "1969-12-31T00:00:00Z", "2026-10-30T00:00:00Z", "2026-12-02T00:00:00Z"] {
            let t = Timestamp(iso8601: text)!
            do {
                try ColumnLimits.eventTime(t, field: "event_time", now: now)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.field == "event_time")
                #expect(error.message.contains("accepted window"), "\(error)")
            }
        }
        for text in ["2026-11-29T23:59:59Z", "2026-11-01T00:00:01Z", "2026-11-30T23:00:00Z"] {
            #expect(throws: Never.self) { try ColumnLimits.eventTime(Timestamp(iso8601: text)!, now: now) }
        }
    }

    @Test func columnTypesHaveTheirRanges() {
        #expect(throws: NumberRangeError.self) { try ColumnLimits.dateTime64(Timestamp(iso8601: "1899-12-31T23:59:59Z")!, field: "t") }
        #expect(throws: Never.self) { try ColumnLimits.dateTime64(Timestamp(iso8601: "1900-01-01T00:00:00Z")!, field: "t") }
        #expect(throws: NumberRangeError.self) { try ColumnLimits.dateTime(Timestamp(iso8601: "2106-02-07T06:28:16Z")!, field: "t") }
        #expect(throws: Never.self) { try ColumnLimits.dateTime(Timestamp(iso8601: "2106-02-07T06:28:15Z")!, field: "t") }
        #expect(throws: NumberRangeError.self) { try ColumnLimits.unsigned(65_536, bits: 16, field: "attempts") }
        #expect(throws: NumberRangeError.self) { try ColumnLimits.unsigned(4_294_967_296, bits: 32, field: "tokens_count") }
        #expect(throws: NumberRangeError.self) { try ColumnLimits.float32(1e39, field: "sentiment_score") }
        #expect(throws: NumberRangeError.self) { try ColumnLimits.float64(.nan, field: "price") }
    }
}

@Suite("Social and text timestamps")
struct TimestampTextTests {
    static let instant: Int64 = 1_606_780_821_000_000_000  // 2020-12-01T00:00:21Z

    @Test(arguments: [
        ("2020-12-01T00:00:21Z", instant),
        ("2020-12-01 00:00:21 UTC", instant),
        ("2020-12-01 00:00:21 GMT", instant),
        ("2020-12-01 05:30:21 IST", instant),
        ("2020-11-30 19:00:21 EST", instant),
        ("2020-11-30 16:00:21 PST", instant),
        ("2020-12-01 01:00:21 CET", instant),
        ("2020-12-01 00:00:21 +0000", instant),
        ("2020-12-01 02:00:21 +02:00", instant),
        ("Tue Dec 01 00:00:21 +0000 2020", instant),
        ("Tue Dec 01 05:30:21 +0530 2020", instant),
        ("Tue, 01 Dec 2020 00:00:21 +0000", instant),
        ("Tue, 01 Dec 2020 00:00:21 GMT", instant),
        ("01 Dec 2020 01:00:21 +0100", instant),
        ("Mon, 30 Nov 2020 19:00:21 EST", instant),
        ("1606780821", instant),
        ("1606780821000", instant),
        ("1606780821000000", instant),
        ("1606780821000000000", instant),
        ("1606780821.0", instant),
        ("  2020-12-01 00:00:21 utc ", instant),
    ])
    func readsCommonForms(text: String, nanos: Int64) throws {
        #expect(try TimestampText.nanos(text, field: "time") == nanos)
    }

    @Test(arguments: [
        "", "yesterday", "2020-12-01 00:00:21", "2020-12-01 00:00:21 XYZ", "2020-12-01 00:00:21 IST extra",
        "Tue Dec 32 00:00:21 +0000 2020", "Tue Foo 01 00:00:21 +0000 2020", "Tue, 01 Dec 2020 25:00:21 +0000",
        "Tue, 01 Dec 2020 00:00:21 +9900", "9223372036854775807999", "1e300", "-1e300", "NaN", "inf",
        "2300-01-01 00:00:00 UTC", "Tue Dec 01 00:00:21 +0000 99999", String(repeating: "9", count: 5000),
    ])
    func refusesOthersNamingTheField(text: String) {
        do {
            let n = try TimestampText.nanos(text, field: "created_at")
            Issue.record("accepted \"\(text.prefix(40))\" as \(n)")
        } catch {
            #expect(error.field == "created_at")
        }
    }

    @Test func indiaIsTheISTThatIsMeant() {
        #expect(TimestampText.zoneOffsets["IST"] == 19_800)
    }

    @Test func aSeededStreamOfHostileTextNeverTraps() {
        var accepted = 0, refused = 0
        for v in HostileValues(seed: 12, count: 5000) {
            let text = v.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            if (try? TimestampText.nanos(text, field: "t")) != nil { accepted += 1 } else { refused += 1 }
        }
        #expect(accepted + refused == 5000)
    }
}

@Suite("Field readers and row encoders under extreme numbers")
struct ExtremeEncoderTests {
    static let nowMs = Timestamp.now().nanosSinceEpoch / 1_000_000

    /// Every value in `values` substituted for `field` in `template` (a `%` marks the spot): a row or a named error.
    func sweep(_ encoder: some RowEncoder, subject: String, template: String, field: String, values: [String],
               headers: [String: String] = [:], expectField: String? = nil) -> (accepted: Int, refused: Int) {
        var accepted = 0, refused = 0
        for v in values {
            let json = template.replacingOccurrences(of: "%", with: v)
            switch encodeMessage(encoder, json, subject: subject, headers: headers) {
            case .success(let rows):
                #expect(!rows.isEmpty)
                accepted += 1
            case .failure(let e):
                #expect(!e.field.isEmpty, "an error must name its field: \(e)")
                #expect(e.field == (expectField ?? field) || e.field == "$", "value \(v.prefix(40)) in \(field) failed as \(e)")
                refused += 1
            }
        }
        return (accepted, refused)
    }

    var values: [String] { extremeJSONValues + Array(HostileValues(seed: 0x12, count: 400)) }

    @Test func tradesNeverTrapAndNameTheField() {
        let base = #"{"symbol":"BTC-USDT","exchange":"sim","event_time":ET,"trade_id":TID,"price":P,"quantity":Q,"side":"BUY","order_id":OID}"#
        let good = ["ET": "\(Self.nowMs)", "TID": "1", "P": "100", "Q": "1", "OID": "2"]
        for (key, field) in [("ET", "event_time"), ("TID", "trade_id"), ("P", "price"), ("Q", "quantity"), ("OID", "order_id")] {
            var t = base
            for (k, v) in good where k != key { t = t.replacingOccurrences(of: k, with: v) }
            let r = sweep(TradeRowEncoder(), subject: "market.trades.BTC-USDT", template: t.replacingOccurrences(of: key, with: "%"), field: field, values: values)
            #expect(r.refused > 0)
        }
    }

    @Test func eventTimesATableWouldDropOrWrapAreRefused() {
        for et in ["10413792000000", #""2300-01-01T00:00:00Z""#, #""2250-01-01T00:00:00Z""#, "1e300", "-9223372036854775808", "9223372036854775807",
                   #""1977-01-01T00:00:00Z""#, "\(Self.nowMs - 40 * 86_400_000)", "\(Self.nowMs + 3 * 86_400_000)"] {
            let json = #"{"symbol":"BTC-USDT","event_time":\#(et),"trade_id":1,"price":1,"quantity":1,"side":"BUY"}"#
            guard case .failure(let e) = encodeMessage(TradeRowEncoder(), json, subject: "market.trades.BTC-USDT") else {
                Issue.record("accepted event_time \(et)")
                continue
            }
            #expect(e.field == "event_time", "\(e)")
        }
    }

    @Test func ordersFrontendAndSignalsNeverTrap() {
        let order = #"{"event_time":\#(Self.nowMs),"user_id":%,"order_id":1,"symbol":"BTC-USDT","side":"BUY","type":"limit","price":10,"quantity":1,"status":"new"}"#
        _ = sweep(OrderRowEncoder(), subject: "user.actions.orders", template: order, field: "user_id", values: values)
        let orderTime = #"{"event_time":%,"user_id":1,"order_id":1,"symbol":"BTC-USDT","side":"BUY","type":"limit","price":10,"quantity":1,"status":"new"}"#
        _ = sweep(OrderRowEncoder(), subject: "user.actions.orders", template: orderTime, field: "event_time", values: values)
        let filled = #"{"event_time":\#(Self.nowMs),"user_id":1,"order_id":1,"symbol":"BTC-USDT","side":"BUY","type":"limit","price":10,"quantity":1,"filled_quantity":%,"status":"new"}"#
        _ = sweep(OrderRowEncoder(), subject: "user.actions.orders", template: filled, field: "filled_quantity", values: values)
        let beacon = #"{"session_id":"s","user_id":1,"events":[{"event_time":%,"event_type":"click"}]}"#
        _ = sweep(FrontendBatchEncoder(), subject: "frontend.events.web", template: beacon, field: "events[0].event_time", values: values)
        let sentAt = #"{"session_id":"s","sent_at":%,"events":[{"event_time":\#(Self.nowMs),"event_type":"click"}]}"#
        _ = sweep(FrontendBatchEncoder(), subject: "frontend.events.web", template: sentAt, field: "sent_at", values: values)
        let signal = #"{"event_time":%,"source_id":"s","event_type":"transaction","payload":{},"severity":3,"trace_id":"123e4567-e89b-12d3-a456-426614174000"}"#
        _ = sweep(SignalRowEncoder(), subject: "signals.transaction", template: signal, field: "event_time", values: values)
        let severity = #"{"event_time":"\#(Timestamp.now().iso8601)","source_id":"s","event_type":"transaction","payload":{},"severity":%,"trace_id":"123e4567-e89b-12d3-a456-426614174000"}"#
        _ = sweep(SignalRowEncoder(), subject: "signals.transaction", template: severity, field: "severity", values: values)
    }

    @Test func extremeSendTimeHeadersAreNamedNotTrapped() {
        let json = #"{"symbol":"BTC-USDT","event_time":\#(Self.nowMs),"trade_id":1,"price":1,"quantity":1,"side":"BUY"}"#
        for h in ["-9223372036854775808", "9223372036854775807", "-4000000000000000000", "0", "1764460800000000000"] {
            for name in [MessageHeader.intendedSendNanos, MessageHeader.actualSendNanos] {
                switch encodeMessage(TradeRowEncoder(), json, subject: "market.trades.BTC-USDT", headers: [name: h]) {
                case .success: break
                case .failure(let e): #expect(e.field.contains(name), "\(e)")
                }
            }
        }
        // 1899 does not fit DateTime64: refused with the header named.
        guard case .failure(let e) = encodeMessage(TradeRowEncoder(), json, subject: "market.trades.BTC-USDT", headers: [MessageHeader.intendedSendNanos: "-9223372036854775808"]) else {
            Issue.record("accepted an intended time in 1677")
            return
        }
        #expect(e.field.contains(MessageHeader.intendedSendNanos))
    }

    @Test func fieldReaderTimestampsNeverTrap() throws {
        for v in values {
            let json = #"{"t":\#(v)}"#
            let f: FieldReader
            do { f = try FieldReader.parse(Array(json.utf8), maxBytes: 1 << 20) } catch { continue }
            do { _ = try f.timestamp("t") } catch { #expect(error.field == "t") }
            do { _ = try f.uint64("t") } catch { #expect(error.field == "t") }
            do { _ = try f.double("t") } catch { #expect(error.field == "t") }
        }
        let poison = try FieldReader.parse(Array(#"{"event_time":10413792000000}"#.utf8), maxBytes: 100)
        #expect(throws: ValidationError.self) { try poison.timestamp("event_time") }
    }

    @Test func l2MessagesNeverTrapAndBooksSurviveIdsAtInt64Max() throws {
        let template = #"{"symbol":"BTC-USDT","exchange":"sim","type":"delta","event_time":ET,"first_update_id":FU,"last_update_id":LU,"bids":[[P,1]],"asks":[]}"#
        let good = ["ET": "\(Self.nowMs)", "FU": "1", "LU": "2", "P": "100"]
        for key in ["ET", "FU", "LU", "P"] {
            for v in values {
                var t = template
                for (k, g) in good { t = t.replacingOccurrences(of: k, with: k == key ? v : g) }
                if case .failure(let e) = L2Update.decode(Data(t.utf8)) { #expect(!e.field.isEmpty) }
            }
        }
        var n = try BookNormalizer(config: NormalizerConfig())
        let end = Int64.max
        _ = n.ingest(L2Update(symbol: "BTC-USDT", exchange: "sim", kind: .snapshot, eventTimeNanos: end, firstUpdateId: end, lastUpdateId: end,
                              bids: [PriceLevel(price: 1, quantity: 1)], asks: []), tag: 1)
        _ = n.ingest(L2Update(symbol: "BTC-USDT", exchange: "sim", kind: .delta, eventTimeNanos: end, firstUpdateId: end, lastUpdateId: end,
                              bids: [PriceLevel(price: 2, quantity: 1)], asks: []), tag: 2)
        _ = n.ingest(L2Update(symbol: "BTC-USDT", exchange: "sim", kind: .delta, eventTimeNanos: .min, firstUpdateId: 0, lastUpdateId: 0,
                              bids: [], asks: []), tag: 3)
        _ = n.flushAll()
    }
}

@Suite("Scenario, policy, rate and replay numbers")
struct ExtremeConfigurationTests {
    func scenarioIssues(_ yaml: String) -> [String: ScenarioIssue] {
        do {
            _ = try ScenarioParser.parse(yaml, file: "extreme.yaml")
            Issue.record("accepted:\n\(yaml)")
            return [:]
        } catch {
            return Dictionary(error.issues.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        }
    }

    @Test func hugeDurationsRatesAndLoopsAreNamedIssues() {
        let byKey = scenarioIssues("""
            name: extreme
            duration: 1e12s
            warmup: 1e300h
            drain_timeout: 9223372036854775807s
            rate_scale: 1e300
            workloads:
              - { name: a, generator: trades, rate: 1e300 }
              - { name: b, generator: trades, rate: 1e-10 }
              - { name: c, generator: trades, rate: { model: ramp, stages: [{ duration: 1e12s, rate: 1e300 }] } }
              - { name: d, generator: trades, rate: { model: hawkes, baseline: 1e300, excitation: 1e300, decay: 1e-300 } }
              - { name: e, generator: trades, rate: { model: bursts, on_rate: 1e-10, off_rate: 0, on: 1e12s, off: 1s } }
              - { name: f, replay: fixtures/exchanges/bitmex.jsonl, loop: 9223372036854775807, speed: 1e-300, max_rate: 1e300 }
              - { name: g, generator: trades, rate: 1, params: { symbols: 1e300 } }
            """)
        for key in ["duration", "warmup", "drain_timeout", "rate_scale", "workloads[0].rate", "workloads[1].rate",
                    "workloads[2].rate.stages[0].duration", "workloads[2].rate.stages[0].rate", "workloads[3].rate.baseline",
                    "workloads[4].rate.on_rate", "workloads[4].rate.on", "workloads[5].loop", "workloads[5].speed", "workloads[5].max_rate"] {
            #expect(byKey[key] != nil, "no issue for \(key): \(byKey.keys.sorted())")
            #expect(byKey[key]?.line ?? 0 > 0)
        }
        #expect(byKey["duration"]?.message.contains("366 days") == true)
        #expect(byKey["workloads[1].rate"]?.message.contains("1e-06") == true)
    }

    @Test func durationsOfEveryUnitAreCheckedAtTheirEdges() {
        for text in ["1e12s", "1e300ms", "9223372036854775807ns", "1e20us", "1e9h", "1e8d", "nans", "infs", "-1s"] {
            guard case .failure = ScenarioDurations.parse(text) else { Issue.record("accepted \(text)"); continue }
        }
        if case .success(let d) = ScenarioDurations.parse("366d") { #expect(d == .seconds(366 * 86_400)) } else { Issue.record("366d refused") }
    }

    @Test func policyDurationsAndNumbersNeverTrap() throws {
        for v in ["1e12s", "1e300h", "9223372036854775807ms", "nans", "1e-300s", "-1s"] {
            do {
                _ = try RiskPolicy.parse(yaml: "rules:\n  liquidity_drop: { window: \(v) }\n", file: "p.yaml")
                Issue.record("accepted window \(v)")
            } catch {
                #expect(error.issues.contains { $0.description.contains("window") }, "\(error)")
            }
        }
        for v in ["1e300", "-1e300", "9223372036854775807", "99999999999999999999", ".nan", ".inf"] {
            do { _ = try RiskPolicy.parse(yaml: "rules:\n  order_velocity: { max_orders: \(v) }\n  spread_blowout: { factor: \(v) }\n", file: "p.yaml") } catch {
                #expect(!error.issues.isEmpty)
            }
        }
    }

    @Test func rateModelsRefuseRatesThePacerCannotSchedule() {
        for r in [1e300, 1e-10, .nan, .infinity, 0, -1] {
            #expect(throws: GeneratorParameterError.self) { try ConstantRate(rate: r) }
            #expect(throws: GeneratorParameterError.self) { try PoissonRate(rate: r, seed: 1) }
            #expect(throws: GeneratorParameterError.self) { try RateSpec.constant(r).make(seed: 1) }
        }
        #expect(throws: GeneratorParameterError.self) { try ConstantRate(rate: 1, scale: 1e300) }
        #expect(throws: GeneratorParameterError.self) { try StepStages(stages: [(.seconds(1), 1e300)]) }
        #expect(throws: GeneratorParameterError.self) { try RampStages(stages: [(Duration.seconds(Int64.max), 1)]) }
        var slow = try! ConstantRate(rate: 1e-6)
        #expect(slow.nextArrival(after: 0) == 0)
        #expect(slow.nextArrival(after: 0) == 1_000_000_000_000_000)
        var fast = try! PoissonRate(rate: 1e8, seed: 3)
        var t: Int64 = 0
        for _ in 0..<10_000 { t = fast.nextArrival(after: t) ?? t }
        #expect(t > 0)
    }

    static func items(_ times: [Int64]) -> [ReplayItem] {
        times.enumerated().map { i, t in ReplayItem(timeNanos: t, body: .raw(subject: "x.y", payload: [], eventID: "e\(i)", kind: "recorded")) }
    }

    @Test func replayScheduleRefusesLoopsAndSpeedsItCannotHold() {
        for (loops, speed, name) in [(Int.max, 1.0, "--loop"), (Int.max / 2, 1.0, "--loop"), (2_000_000, 1.0, "--loop"), (1, 1e-300, "--speed"),
                                     (1, 0, "--speed"), (1, .nan, "--speed"), (1, .infinity, "--speed")] {
            var o = ReplayOptions()
            o.loops = loops
            o.speed = speed
            do {
                _ = try ReplaySchedule(items: Self.items([0, 1_000_000, 2_000_000]), options: o)
                Issue.record("accepted loops \(loops) speed \(speed)")
            } catch {
                #expect("\(error)".hasPrefix(name), "\(error)")
            }
        }
        var o = ReplayOptions()
        o.loops = 1000
        o.speed = 1e-6
        #expect(throws: ReplayError.self) { try ReplaySchedule(items: Self.items([0, 9_000_000_000_000_000]), options: o) }
    }

    @Test func replayOfCaptureTimesAtInt64EndsNeverTraps() throws {
        var o = ReplayOptions()
        o.topSpeed = true
        o.loops = 3
        let s = try ReplaySchedule(items: Self.items([Int64.min, -1, 0, Int64.max]), options: o)
        for i in 0..<s.count { _ = s.event(i, intendedNanos: Timestamp.now().nanosSinceEpoch) }
        var k = ReplayOptions()
        k.keepTimes = true
        k.loops = 2
        k.topSpeed = true
        let timed = [Int64.min, 0, Int64.max].enumerated().map { i, t in
            ReplayItem(timeNanos: t, body: .timed(subject: "social.raw.x", eventID: "t\(i)", feed: .social, render: { Array("\($0)".utf8) }))
        }
        for keep in [true, false] {
            k.keepTimes = keep
            let t = try ReplaySchedule(items: timed + Self.items([Int64.max - 5, Int64.max]), options: k)
            for i in 0..<t.count { _ = t.event(i, intendedNanos: Timestamp.now().nanosSinceEpoch) }
            for loop in [0, 1, 1_000_000] {
                _ = t.rewrite(.trade(Trade(symbol: "BTC-USDT", exchange: "x", eventTimeNanos: .max, tradeId: .max, price: 1, quantity: 1, side: .buy)), loop: loop, shift: .max)
                _ = t.rewrite(.book(L2Update(symbol: "BTC-USDT", exchange: "x", kind: .delta, eventTimeNanos: .min, firstUpdateId: .max, lastUpdateId: .max,
                                             prevLastUpdateId: .max, bids: [], asks: [])), loop: loop, shift: .min)
            }
        }
    }
}

@Suite("Replay: social timestamps in common text forms")
struct SocialReplayTimeTests {
    func load(_ text: String, fields: [String: String] = [:]) throws -> ([ReplayItem], ReplayLoadReport) {
        let p = NSTemporaryDirectory() + "social-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        _ = FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: p) }
        var o = ReplayOptions()
        o.format = "social-jsonl"
        o.socialFields = fields
        let (items, report) = try CaptureLoader(options: o).load(path: p)
        return (items, report)
    }

    @Test func postsKeepTheirOwnTimesWhateverTheForm() throws {
        let lines = [
            #"{"id":1,"text":"a","created_at":"2020-12-01 00:00:21 IST"}"#,
            #"{"id":2,"text":"b","created_at":"Tue Dec 01 00:00:22 +0000 2020"}"#,
            #"{"id":3,"text":"c","created_at":"Tue, 01 Dec 2020 00:00:23 +0000"}"#,
            #"{"id":4,"text":"d","created_at":1606781124}"#,
            #"{"id":5,"text":"e","created_at":"1606781125000"}"#,
            #"{"id":6,"text":"f","created_at":"2020-12-01 00:00:26 PST"}"#,
        ]
        let (items, report) = try load(lines.joined(separator: "\n") + "\n")
        #expect(report.problems.isEmpty, "\(report.problems)")
        let times = items.map(\.timeNanos).sorted()
        #expect(Set(times).count == 6, "each post keeps its own instant")
        #expect(times.contains(1_606_780_821_000_000_000 - 19_800_000_000_000))
        #expect(times.contains(1_606_780_822_000_000_000))
        #expect(times.contains(1_606_780_823_000_000_000))
        #expect(times.contains(1_606_781_124_000_000_000))
        #expect(times.contains(1_606_781_125_000_000_000))
        #expect(times.contains(1_606_780_826_000_000_000 + 28_800_000_000_000))
    }

    @Test func aTimeNotUnderstoodIsNamedPerLine() throws {
        let text = [
            #"{"id":1,"text":"a","time":"2020-12-01 00:00:21 IST"}"#,
            #"{"id":2,"text":"b","time":"next tuesday"}"#,
            #"{"id":3,"text":"c","time":1e300}"#,
            #"{"id":4,"text":"d","time":-9223372036854775808}"#,
            #"{"id":5,"text":"e","time":"2020-12-01 00:00:21 XST"}"#,
        ].joined(separator: "\n") + "\n"
        let (items, report) = try load(text)
        #expect(items.count == 1)
        #expect(report.problemCount == 4)
        #expect(report.problems.allSatisfy { $0.reason.contains("time") }, "\(report.problems)")
        #expect(report.problems.contains { $0.reason.contains("XST") })
    }
}

@Suite("Replay: social posts without a time")
struct SocialReplayMissingTimeTests {
    @Test func aPostWithNoTimeIsReportedNotPlacedAtOneInstant() throws {
        let p = NSTemporaryDirectory() + "social-notime-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        _ = FileManager.default.createFile(atPath: p, contents: Data((#"{"id":1,"text":"a"}"# + "\n" + #"{"id":2,"text":"b","date":"2020-12-01 00:00:21 UTC"}"# + "\n").utf8))
        defer { try? FileManager.default.removeItem(atPath: p) }
        var o = ReplayOptions()
        o.format = "social-jsonl"
        let (items, report) = try CaptureLoader(options: o).load(path: p)
        #expect(items.map(\.timeNanos) == [1_606_780_821_000_000_000])
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.reason.contains("no time") == true, "\(report.problems)")
    }
}

@Suite("Capture readers under extreme timestamps")
struct ExtremeCaptureTests {
    func load(_ name: String, _ text: String) -> Result<(items: [ReplayItem], report: ReplayLoadReport), ReplayError> {
        let p = NSTemporaryDirectory() + "extreme-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-" + name
        _ = FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: p) }
        return Result { () throws(ReplayError) in try CaptureLoader(options: ReplayOptions()).load(path: p) }
    }

    static let stamps = ["9223372036854775807", "9223372036854775808", "99999999999999999999", "9999999999.999999999", "1e300", "1e19",
                         "-1", "0", "18446744073709551615", "9223372036.854775807", "9300000000"]

    @Test func linePrefixedAndCryptofeedTimesNeverTrap() {
        let snap = #"{"type":"snapshot","product_id":"BTC-USD","bids":[["99.0","1"]],"asks":[["101.0","1"]]}"#
        let good = #"{"type":"l2update","product_id":"BTC-USD","time":"2021-04-17T16:43:40.000000Z","changes":[["buy","100.0","1.5"]]}"#
        for ts in Self.stamps {
            for text in ["1618677817.1: \(snap)\n\(ts): \(good)\n1618677817.4: \(good)\n",
                         "1618677817100000000 \(snap)\n\(ts) \(good)\n1618677817400000000 \(good)\n"] {
                switch load("lines.txt", text) {
                case .success(let r): #expect(r.items.count >= 1)
                case .failure(let e): #expect(!"\(e)".isEmpty)
                }
            }
        }
    }

    @Test func accessLogTimesNeverTrap() {
        let header = "host\tlogname\ttime\tmethod\turl\tresponse\tbytes\treferer\tuseragent\n"
        for ts in Self.stamps {
            let text = header + "a\t-\t807256800\tGET\t/x\t200\t1\t\t\na\t-\t\(ts)\tGET\t/y\t200\t99999999999999999999\t\t\n"
            if case .success(let r) = load("access.tsv", text) { #expect(r.items.count >= 1) }
        }
        for year in ["9999", "0000", "1677", "2262", "2263"] {
            let text = #"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326"# + "\n"
                + #"1.2.3.4 - - [10/Oct/\#(year):13:55:36 -0700] "GET /b HTTP/1.0" 200 2326"# + "\n"
            if case .success(let r) = load("access.log", text) { #expect(r.items.count >= 1) }
        }
    }
}
