// Compiles to nothing until Package.swift gives this test target the Alerting dependency, so
// dropping the file in cannot break a build; remove the #if once the target is wired.
import Foundation
import Testing
@testable import Alerting

// MARK: - Helpers

/// A fixed epoch for the tests' event times, in ns: 2023-11-14T22:13:00Z, on a minute boundary
/// so that the tests' "minute m" is one of social_buzz's per-minute buckets.
private let t0: Int64 = 1_699_999_980 * 1_000_000_000

/// `t0` plus some seconds, in ns.
private func at(_ seconds: Double) -> Int64 { t0 + Int64((seconds * 1e9).rounded()) }

/// A one-level book whose top-N depth is `depth` (split evenly over the bid and the ask).
private func book(_ symbol: String, _ seconds: Double, depth: Double, intended: Int64? = nil) -> RiskInput {
    .book(symbol: symbol, eventTime: at(seconds), intendedTime: intended,
          bids: [(100, depth / 2)], asks: [(100.1, depth / 2)])
}

/// A book with the given best bid and ask (depth fixed, so liquidity_drop stays quiet).
private func quote(_ symbol: String, _ seconds: Double, bid: Double, ask: Double, intended: Int64? = nil) -> RiskInput {
    .book(symbol: symbol, eventTime: at(seconds), intendedTime: intended, bids: [(bid, 10)], asks: [(ask, 10)])
}

private func order(_ user: UInt64, _ seconds: Double, _ status: String = "new", id: UInt64 = 0, intended: Int64? = nil) -> RiskInput {
    .order(userID: user, orderID: id, symbol: "BTC-USDT", status: status, eventTime: at(seconds), intendedTime: intended)
}

private func post(_ symbol: String, _ seconds: Double, sentiment: Double = 0, intended: Int64? = nil) -> RiskInput {
    .post(symbol: symbol, eventTime: at(seconds), intendedTime: intended, sentiment: sentiment)
}

fileprivate extension AlertEngine {
    /// Ingests every input and returns all alerts raised, in order.
    mutating func feed(_ inputs: [RiskInput]) -> [RiskAlert] {
        inputs.flatMap { ingest($0) }
    }
}

private func parse(_ yaml: String, file: String = "test.yaml") throws(PolicyError) -> RiskPolicy {
    try RiskPolicy.parse(yaml: yaml, file: file)
}

/// The issues a policy text produces (fails the test if it parses).
private func issues(_ yaml: String, file: String = "test.yaml") -> [PolicyError.Issue] {
    do {
        _ = try RiskPolicy.parse(yaml: yaml, file: file)
        Issue.record("expected the policy to be rejected:\n\(yaml)")
        return []
    } catch {
        return error.issues
    }
}

/// Deterministic generator so the stream tests replay identically on every run.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// policies/default.yaml, found from this file's path (Tests/<target>/ → repository root).
private let defaultPolicyPath = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("policies/default.yaml").path

// MARK: - liquidity_drop

@Suite("Alerting: liquidity_drop")
struct AlertLiquidityDropTests {
    /// Three books at depth 100, then one at `final`.
    private func run(final: Double, policy: RiskPolicy = .defaults, symbol: String = "ETH-USDT") -> [RiskAlert] {
        var engine = AlertEngine(policy: policy)
        return engine.feed([book(symbol, 0, depth: 100), book(symbol, 1, depth: 100), book(symbol, 2, depth: 100),
                            book(symbol, 3, depth: final, intended: at(2.9))])
    }

    @Test func firesAboveTheDropFractionAndCarriesTheEvidence() throws {
        let alerts = run(final: 49)  // a 0.51 drop
        #expect(alerts.count == 1)
        let a = try #require(alerts.first)
        #expect(a.rule == "liquidity_drop")
        #expect(a.key == "ETH-USDT")
        #expect(abs(a.observed - 0.51) < 1e-9)
        #expect(a.threshold == 0.5)
        #expect(a.windowSeconds == 10)
        #expect(a.severity == "critical")
        #expect(a.eventTime == at(3))
        #expect(a.intendedTime == at(2.9))
        #expect(a.detail["depth_before"] == 100)
        #expect(a.detail["depth_now"] == 49)
        #expect(a.id == "liquidity_drop-ETH-USDT-\(at(3))")
    }

    @Test func nearMissStaysSilent() {
        #expect(run(final: 51).isEmpty)  // a 0.49 drop
        #expect(run(final: 50).isEmpty)  // exactly 0.5 is not "more than"
    }

    @Test func needsMinSamplesInTheWindow() {
        var engine = AlertEngine(policy: .defaults)
        // Two observations in the window (the peak and the drop) are below min_samples 3.
        #expect(engine.feed([book("X", 0, depth: 100), book("X", 1, depth: 10)]).isEmpty)
        // The third observation makes it judgeable.
        #expect(engine.feed([book("X", 2, depth: 10)]).count == 1)
    }

    @Test func aPeakOlderThanTheWindowDoesNotCount() {
        var engine = AlertEngine(policy: .defaults)
        let alerts = engine.feed([book("X", 0, depth: 100), book("X", 10.5, depth: 40), book("X", 11, depth: 40),
                                  book("X", 11.5, depth: 40)])
        #expect(alerts.isEmpty)
    }

    @Test func symbolOverrideLowersTheThreshold() throws {
        let policy = try parse("""
            symbols:
              BTC-USDT: { liquidity_drop: { drop_fraction: 0.3 } }
            """)
        let btc = run(final: 65, policy: policy, symbol: "BTC-USDT")  // a 0.35 drop
        #expect(btc.count == 1)
        #expect(btc.first?.threshold == 0.3)
        #expect(run(final: 65, policy: policy, symbol: "ETH-USDT").isEmpty)
    }

    @Test func disabledRuleRaisesNothing() throws {
        let policy = try parse("rules:\n  liquidity_drop: { enabled: false }\n")
        #expect(run(final: 1, policy: policy).isEmpty)
    }
}

// MARK: - spread_blowout

@Suite("Alerting: spread_blowout")
struct AlertSpreadBlowoutTests {
    /// `baseline` books with a 0.1 spread on a 100 bid (≈ 9.995 bps), then one with spread `d`.
    private func run(baseline: Int = 20, spread d: Double, policy: RiskPolicy = .defaults) -> [RiskAlert] {
        var engine = AlertEngine(policy: policy)
        var inputs = (0..<baseline).map { quote("SOL-USDT", Double($0) * 0.5, bid: 100, ask: 100.1) }
        inputs.append(quote("SOL-USDT", 30, bid: 100, ask: 100 + d, intended: at(29.5)))
        return engine.feed(inputs)
    }

    private func bps(_ d: Double) -> Double { d / (100 + d / 2) * 10_000 }

    @Test func firesAboveFactorTimesMedian() throws {
        let alerts = run(spread: 0.51)  // ≈ 5.09 × the median
        let a = try #require(alerts.first)
        #expect(alerts.count == 1)
        #expect(a.rule == "spread_blowout")
        #expect(a.severity == "warning")
        #expect(a.threshold == 5)
        #expect(a.windowSeconds == 60)
        #expect(abs(a.observed - bps(0.51) / bps(0.1)) < 1e-9)
        #expect(abs(a.detail["median_bps"]! - bps(0.1)) < 1e-9)
        #expect(a.eventTime == at(30))
        #expect(a.intendedTime == at(29.5))
    }

    @Test func nearMissStaysSilent() {
        #expect(run(spread: 0.49).isEmpty)  // ≈ 4.89 × the median
    }

    @Test func needsMinSamplesInTheBaseline() {
        #expect(run(baseline: 19, spread: 2).isEmpty)
        #expect(run(baseline: 20, spread: 2).count == 1)
    }

    @Test func theMedianIgnoresAFewOutliers() {
        var engine = AlertEngine(policy: .defaults)
        // Five wide spreads first (too early to be judged), then thirty normal ones.
        var inputs = (0..<5).map { quote("S", Double($0), bid: 100, ask: 103) }
        inputs += (5..<35).map { quote("S", Double($0), bid: 100, ask: 100.1) }
        #expect(engine.feed(inputs).isEmpty)
        // The mean of that baseline is ≈ 51 bps, which would put the threshold near 255 bps; the
        // median keeps it at 5 × 10 bps, so a spread of ≈ 51 bps fires.
        #expect(engine.feed([quote("S", 36, bid: 100, ask: 100.51)]).count == 1)
    }

    @Test func ignoresCrossedAndOneSidedBooks() {
        var engine = AlertEngine(policy: .defaults)
        var inputs = (0..<25).map { quote("S", Double($0), bid: 100, ask: 100.1) }
        inputs.append(quote("S", 26, bid: 101, ask: 100))  // crossed
        inputs.append(.book(symbol: "S", eventTime: at(27), intendedTime: nil, bids: [], asks: [(200, 20)]))  // same depth: not a liquidity drop
        #expect(engine.feed(inputs).isEmpty)
    }
}

// MARK: - order_velocity and aggressive_cancels

@Suite("Alerting: order rules")
struct AlertOrderRuleTests {
    @Test func velocityFiresAbove20NewOrdersIn10s() throws {
        var engine = AlertEngine(policy: .defaults)
        let inputs = (0..<21).map { order(7, Double($0) * 0.4, intended: at(Double($0) * 0.4) - 1000) }
        let alerts = engine.feed(inputs)
        let a = try #require(alerts.first)
        #expect(alerts.count == 1)
        #expect(a.rule == "order_velocity")
        #expect(a.key == "user:7")
        #expect(a.observed == 21)
        #expect(a.threshold == 20)
        #expect(a.windowSeconds == 10)
        #expect(a.severity == "warning")
        #expect(a.eventTime == at(8))
        #expect(a.intendedTime == at(8) - 1000)
    }

    @Test func velocityNearMissesStaySilent() {
        var twenty = AlertEngine(policy: .defaults)
        #expect(twenty.feed((0..<20).map { order(7, Double($0) * 0.4) }).isEmpty)
        // 21 orders, but spread over more than 10 s: never more than 20 in one window.
        var spread = AlertEngine(policy: .defaults)
        #expect(spread.feed((0..<21).map { order(7, Double($0) * 0.55) }).isEmpty)
        // Other statuses are not new orders.
        var fills = AlertEngine(policy: .defaults)
        #expect(fills.feed((0..<30).map { order(7, Double($0) * 0.1, $0 % 2 == 0 ? "filled" : "partially_filled") }).isEmpty)
    }

    @Test func cancelsFireAboveTheRatio() throws {
        var engine = AlertEngine(policy: .defaults)
        var inputs = (0..<10).map { order(9, Double($0)) }
        inputs += (0..<9).map { order(9, 10 + Double($0), "canceled", intended: at(10 + Double($0)) - 5) }
        let alerts = engine.feed(inputs)
        let a = try #require(alerts.first)
        #expect(alerts.count == 1)
        #expect(a.rule == "aggressive_cancels")
        #expect(a.key == "user:9")
        #expect(abs(a.observed - 0.9) < 1e-12)
        #expect(a.threshold == 0.8)
        #expect(a.windowSeconds == 60)
        #expect(a.eventTime == at(18))
        #expect(a.intendedTime == at(18) - 5)
        #expect(a.detail["cancels"] == 9)
        #expect(a.detail["new_orders"] == 10)
    }

    @Test func cancelsNearMissesStaySilent() {
        // Ratio 0.8 exactly: not above.
        var atRatio = AlertEngine(policy: .defaults)
        #expect(atRatio.feed((0..<10).map { order(9, Double($0)) } + (0..<8).map { order(9, 10 + Double($0), "canceled") }).isEmpty)
        // Ratio 1.0 but only 9 new orders: below min_orders.
        var fewOrders = AlertEngine(policy: .defaults)
        #expect(fewOrders.feed((0..<9).map { order(9, Double($0)) } + (0..<9).map { order(9, 10 + Double($0), "canceled") }).isEmpty)
    }

    @Test func theTenthNewOrderCanCompleteTheSample() {
        var engine = AlertEngine(policy: .defaults)
        let before = (0..<9).map { order(9, Double($0)) } + (0..<9).map { order(9, 10 + Double($0), "canceled") }
        #expect(engine.feed(before).isEmpty)
        let alerts = engine.ingest(order(9, 20))  // 9 cancels / 10 new = 0.9
        #expect(alerts.map(\.rule) == ["aggressive_cancels"])
    }

    @Test func userOverrideChangesThresholdAndSeverity() throws {
        let policy = try parse("""
            users:
              "42": { order_velocity: { max_orders: 100 }, severity: critical }
            """)
        var engine = AlertEngine(policy: policy)
        #expect(engine.feed((0..<100).map { order(42, Double($0) * 0.05) }).isEmpty)
        let a = engine.ingest(order(42, 5))
        #expect(a.count == 1)
        #expect(a.first?.severity == "critical")
        #expect(a.first?.threshold == 100)
        // Another user keeps the policy's values.
        let other = engine.feed((0..<21).map { order(7, Double($0) * 0.1) })
        #expect(other.map(\.severity) == ["warning"])
        #expect(other.first?.threshold == 20)
        // The user's all-rules severity reaches aggressive_cancels too.
        #expect(policy.thresholds(rule: .aggressiveCancels, key: "user:42").severity == .critical)
    }
}

// MARK: - Cooldown

@Suite("Alerting: cooldown")
struct AlertCooldownTests {
    @Test func suppressesRepeatsWithinTheCooldownAndAllowsThemAfter() {
        var engine = AlertEngine(policy: .defaults)
        var alerts: [RiskAlert] = []
        // One new order every 100 ms for 70 s: over the limit from the 21st order on.
        for k in 0..<700 { alerts += engine.ingest(order(5, Double(k) * 0.1)) }
        #expect(alerts.map(\.eventTime) == [at(2), at(62)])
        #expect(engine.suppressed["order_velocity"] == 599 + 79)
        #expect(engine.suppressed["liquidity_drop"] == 0)
        #expect(engine.evaluated == 700)
    }

    @Test func cooldownIsPerRuleAndKey() {
        var engine = AlertEngine(policy: .defaults)
        let a = engine.feed((0..<21).map { order(1, Double($0) * 0.1) })
        let b = engine.feed((0..<21).map { order(2, 3 + Double($0) * 0.1) })
        #expect(a.map(\.key) == ["user:1"])
        #expect(b.map(\.key) == ["user:2"])
    }

    @Test func cooldownIsOverridable() throws {
        let policy = try parse("rules:\n  order_velocity: { cooldown: 500ms }\n")
        var engine = AlertEngine(policy: policy)
        let alerts = engine.feed((0..<31).map { order(5, Double($0) * 0.1) })
        // Fires at 2.0 s, then again once 500 ms have passed: 2.5 s and 3.0 s.
        #expect(alerts.map(\.eventTime) == [at(2), at(2.5), at(3)])
        #expect(engine.suppressed["order_velocity"] == 8)
    }
}

// MARK: - social_buzz

@Suite("Alerting: social_buzz")
struct AlertSocialBuzzTests {
    /// Per-minute counts that wobble around 10 (stddev ≈ 2), like a real steady baseline.
    private let steady = [7, 13, 9, 11, 10, 8, 12]

    /// Posts spread evenly over minute `m` (relative to t0).
    private func minute(_ m: Int, count: Int, sentiment: Double, symbol: String = "DOGE-USDT") -> [RiskInput] {
        (0..<count).map { post(symbol, Double(m) * 60 + Double($0) * 60 / Double(count), sentiment: sentiment) }
    }

    /// 32 minutes, so that at minute 32 (the baseline lags the current minute by two) the
    /// baseline holds a full 30 minutes.
    private func baseline(minutes: Int = 32) -> [RiskInput] {
        (0..<minutes).flatMap { minute($0, count: steady[$0 % steady.count], sentiment: 0.2) }
    }

    @Test func aTenfoldSpikeFiresWithANegativeSentimentSwing() throws {
        var engine = AlertEngine(policy: .defaults)
        #expect(engine.feed(baseline()).isEmpty)
        let spike = minute(32, count: 100, sentiment: -0.6)
        let alerts = engine.feed(spike)
        #expect(alerts.count == 1)  // then the 300 s cooldown holds the rest of the spike
        let a = try #require(alerts.first)
        #expect(a.rule == "social_buzz")
        #expect(a.key == "DOGE-USDT")
        #expect(a.severity == "info")
        #expect(a.threshold == 4)
        #expect(a.observed > 4)
        #expect(a.windowSeconds == 60)
        #expect(a.detail["baseline_minutes"] == 30)
        #expect(abs(a.detail["baseline_mean"]! - 10) < 0.5)
        #expect(a.detail["sentiment_swing"]! < -0.2)
        #expect(abs(a.detail["baseline_sentiment"]! - 0.2) < 1e-9)
        #expect(engine.suppressed["social_buzz"]! > 50)
        // It fired on one of the spike's posts, carrying that post's time.
        #expect(spike.map(\.eventTime).contains(a.eventTime))
    }

    @Test func swingIsPositiveForAPositiveSpike() throws {
        var engine = AlertEngine(policy: .defaults)
        _ = engine.feed(baseline())
        let a = try #require(engine.feed(minute(32, count: 100, sentiment: 0.9)).first)
        #expect(a.detail["sentiment_swing"]! > 0.2)
    }

    @Test func aGentleRiseDoesNotFire() {
        var engine = AlertEngine(policy: .defaults)
        var inputs = baseline()
        // Ten more minutes at 14 a minute: about two standard deviations above the mean.
        for m in 32..<42 { inputs += minute(m, count: 14, sentiment: 0.2) }
        #expect(engine.feed(inputs).isEmpty)
    }

    @Test func needsMinBaselineMinutesOfHistory() {
        var young = AlertEngine(policy: .defaults)
        // Three minutes of history, then a spike: not enough history to judge.
        let inputs = (0..<4).flatMap { minute($0, count: 10, sentiment: 0) } + minute(4, count: 100, sentiment: 0)
        #expect(young.feed(inputs).isEmpty)
        var old = AlertEngine(policy: .defaults)
        let more = (0..<7).flatMap { minute($0, count: 10, sentiment: 0) } + minute(7, count: 100, sentiment: 0)
        #expect(old.feed(more).count == 1)
    }

    @Test func missingMinutesCountAsZero() throws {
        var engine = AlertEngine(policy: .defaults)
        // One post in minute 0, then silence for 20 minutes: a baseline of zeros with the
        // stddev floor of 1, so six posts in one minute are a z-score of about 6.
        _ = engine.feed(minute(0, count: 1, sentiment: 0))
        let alerts = engine.feed(minute(21, count: 6, sentiment: 0))
        let a = try #require(alerts.first)
        #expect(a.detail["baseline_minutes"] == 20)
        #expect(a.detail["baseline_stddev"] == 1)
        #expect(abs(a.detail["baseline_mean"]! - 1.0 / 20) < 1e-12)
    }
}

// MARK: - Alert model

@Suite("Alerting: alert model")
struct AlertJSONTests {
    @Test func jsonTextIsCompactStableAndDecodes() throws {
        let alert = RiskAlert(id: "order_velocity-user:7-5", rule: "order_velocity", severity: "warning", key: "user:7",
                              observed: 21, threshold: 20, windowSeconds: 10, eventTime: 1_700_000_000_123_456_789,
                              intendedTime: nil, detail: ["z": 1.5, "a": -0.25])
        #expect(alert.jsonText() == #"{"id":"order_velocity-user:7-5","rule":"order_velocity","severity":"warning","key":"user:7","observed":21.0,"threshold":20.0,"window_seconds":10.0,"event_time":1700000000123456789,"intended_time":null,"detail":{"a":-0.25,"z":1.5},"received_at":null,"detected_at":null}"#)
        let decoded = try JSONDecoder().decode(RiskAlert.self, from: Data(alert.jsonText().utf8))
        #expect(decoded == alert)
    }

    @Test func stageInstantsRoundTripAndOlderAlertsWithoutThemStillDecode() throws {
        var alert = RiskAlert(id: "liquidity_drop-BTC-USDT-9", rule: "liquidity_drop", severity: "critical", key: "BTC-USDT",
                              observed: 0.8, threshold: 0.5, windowSeconds: 10, eventTime: 9, intendedTime: 7, detail: [:])
        alert.receivedAt = 1_700_000_000_000_000_011
        alert.detectedAt = 1_700_000_000_000_000_012
        #expect(alert.jsonText().hasSuffix(#","received_at":1700000000000000011,"detected_at":1700000000000000012}"#))
        #expect(try JSONDecoder().decode(RiskAlert.self, from: Data(alert.jsonText().utf8)) == alert)
        let old = #"{"id":"x","rule":"order_velocity","severity":"warning","key":"user:1","observed":1,"threshold":1,"window_seconds":1,"event_time":1,"intended_time":null,"detail":{}}"#
        let decoded = try JSONDecoder().decode(RiskAlert.self, from: Data(old.utf8))
        #expect(decoded.receivedAt == nil && decoded.detectedAt == nil)
    }

    @Test func jsonTextEscapesStrings() throws {
        var alert = RiskAlert(id: "x", rule: "liquidity_drop", severity: "info", key: "we\"ird\\sym\n\u{01}",
                              observed: 0.5, threshold: 0.25, windowSeconds: 1, eventTime: 1, intendedTime: 2, detail: [:])
        let decoded = try JSONDecoder().decode(RiskAlert.self, from: Data(alert.jsonText().utf8))
        #expect(decoded == alert)
        alert.observed = .infinity
        #expect(alert.jsonText().contains("\"observed\":null"))
    }
}

// MARK: - Policy

@Suite("Alerting: policy")
struct AlertPolicyTests {
    @Test func theShippedDefaultFileParsesToTheDefaults() throws {
        let policy = try YAMLPolicyFile(path: defaultPolicyPath).load()
        #expect(policy == RiskPolicy.defaults)
        let liq = policy.thresholds(rule: .liquidityDrop, key: "ANY")
        #expect(liq.window == .seconds(10) && liq.dropFraction == 0.5 && liq.minSamples == 3 && liq.severity == .critical)
        #expect(policy.thresholds(rule: .aggressiveCancels, key: "user:1").cooldown == .seconds(120))
        #expect(policy.thresholds(rule: .socialBuzz, key: "X").cooldown == .seconds(300))
    }

    @Test func theFormatExampleParsesWithItsOverrides() throws {
        let policy = try parse("""
            rules:
              liquidity_drop: { enabled: true, severity: critical, window: 10s, drop_fraction: 0.5, min_samples: 3, cooldown: 60s }
              spread_blowout: { severity: warning, window: 60s, factor: 5, min_samples: 20, cooldown: 60s }
              order_velocity: { severity: warning, window: 10s, max_orders: 20, cooldown: 60s }
              aggressive_cancels: { severity: warning, window: 60s, max_ratio: 0.8, min_orders: 10, cooldown: 120s }
              social_buzz: { severity: info, baseline_minutes: 30, min_baseline_minutes: 5, z: 4, min_stddev: 1, cooldown: 300s }
            symbols:           # per-symbol overrides of any rule key
              BTC-USDT: { liquidity_drop: { drop_fraction: 0.3 } }
            users:             # per-user overrides (user ids as keys)
              "42": { order_velocity: { max_orders: 100 }, severity: critical }
            """)
        #expect(policy.rules == RiskPolicy.defaults.rules)
        #expect(policy.thresholds(rule: .liquidityDrop, key: "BTC-USDT").dropFraction == 0.3)
        #expect(policy.thresholds(rule: .liquidityDrop, key: "BTC-USDT").window == .seconds(10))
        #expect(policy.thresholds(rule: .liquidityDrop, key: "ETH-USDT").dropFraction == 0.5)
        let u42 = policy.thresholds(rule: .orderVelocity, key: "user:42")
        #expect(u42.maxOrders == 100 && u42.severity == .critical)
        #expect(policy.thresholds(rule: .orderVelocity, key: "user:7") == RuleThresholds.defaults(for: .orderVelocity))
    }

    @Test func durationsAndRuleLevelValuesApply() throws {
        let policy = try parse("""
            rules:
              spread_blowout: { window: 2m, cooldown: 1500ms, severity: critical }
              order_velocity: { window: 0.5h }
            symbols:
              ETH-USDT: { severity: info, spread_blowout: { severity: warning, factor: 8 } }
            """)
        let base = policy.thresholds(rule: .spreadBlowout, key: "X")
        #expect(base.window == .seconds(120) && base.cooldown == .milliseconds(1500) && base.severity == .critical)
        #expect(policy.thresholds(rule: .orderVelocity, key: "user:1").window == .seconds(1800))
        // The rule-specific override wins over the symbol's all-rules one.
        #expect(policy.thresholds(rule: .spreadBlowout, key: "ETH-USDT").severity == .warning)
        #expect(policy.thresholds(rule: .spreadBlowout, key: "ETH-USDT").factor == 8)
        #expect(policy.thresholds(rule: .liquidityDrop, key: "ETH-USDT").severity == .info)
    }

    @Test func emptyTextAndEmptySectionsAreTheDefaults() throws {
        #expect(try parse("") == .defaults)
        #expect(try parse("# nothing\nrules:\nsymbols:\nusers:\n") == .defaults)
    }

    @Test func outOfRangeFractionNamesKeyAndLine() {
        let found = issues("""
            rules:
              liquidity_drop:
                drop_fraction: 1.5
            """, file: "policies/default.yaml")
        #expect(found.map(\.description) == [
            "policies/default.yaml:3: rules.liquidity_drop.drop_fraction: expected a number between 0 and 1, got 1.5",
        ])
    }

    @Test func unknownKeyNamesKeyAndLineWithAHint() throws {
        let found = issues("rules:\n  spread_blowout:\n    factr: 5\n")
        let i = try #require(found.first)
        #expect(found.count == 1)
        #expect(i.line == 3)
        #expect(i.key == "rules.spread_blowout.factr")
        #expect(i.message.contains("did you mean factor?"))
        #expect(i.message.contains("expected one of enabled, severity, window, factor, min_samples, cooldown"))
    }

    @Test func durationWithoutUnitIsRejected() throws {
        let i = try #require(issues("rules:\n  order_velocity: { window: 10 }\n").first)
        #expect(i.line == 2)
        #expect(i.key == "rules.order_velocity.window")
        #expect(i.message.contains("durations need a unit (ms, s, m or h), like 10s"))
        let bad = try #require(issues("rules:\n  order_velocity: { cooldown: 10 parsecs }\n").first)
        #expect(bad.key == "rules.order_velocity.cooldown")
        #expect(bad.message.contains("expected a duration with a unit"))
    }

    @Test func wrongTypesAreRejected() {
        let found = issues("""
            rules:
              order_velocity:
                max_orders: lots
                enabled: yes
                severity: loud
              aggressive_cancels:
                min_orders: 2.5
                window: [10s]
            """)
        #expect(found.map(\.key) == ["rules.order_velocity.max_orders", "rules.order_velocity.enabled",
                                     "rules.order_velocity.severity", "rules.aggressive_cancels.min_orders",
                                     "rules.aggressive_cancels.window"])
        #expect(found.map(\.line) == [3, 4, 5, 7, 8])
        #expect(found[0].message == "expected a whole number of at least 1, got \"lots\"")
        #expect(found[1].message == "expected true or false, got \"yes\"")
        #expect(found[2].message == "expected one of info, warning, critical, got \"loud\"")
        #expect(found[4].message.contains("got a list"))
    }

    @Test func unknownRuleIsRejected() throws {
        let i = try #require(issues("rules:\n  liquidty_drop: { drop_fraction: 0.5 }\n").first)
        #expect(i.line == 2)
        #expect(i.key == "rules.liquidty_drop")
        #expect(i.message.contains("unknown rule (did you mean liquidity_drop?)"))
    }

    @Test func overridesInTheWrongSectionAndBadUserIDsAreRejected() {
        let found = issues("""
            symbols:
              BTC-USDT: { order_velocity: { max_orders: 5 }, window: 5s }
            users:
              alice: { severity: info }
              "7": { social_buzz: { z: 3 } }
            """)
        #expect(found.map(\.key) == ["symbols.BTC-USDT.order_velocity", "symbols.BTC-USDT.window", "users.alice", "users.7.social_buzz"])
        #expect(found.map(\.line) == [2, 2, 4, 5])
        #expect(found[0].message.contains("set it under users"))
        #expect(found[2].message.contains("expected a user id"))
    }

    @Test func crossFieldConstraintsAreCheckedAfterOverrides() {
        let found = issues("""
            rules:
              social_buzz: { baseline_minutes: 10 }
            symbols:
              PEPE-USDT: { social_buzz: { min_baseline_minutes: 12 } }
            """)
        #expect(found.map(\.key) == ["symbols.PEPE-USDT.social_buzz"])
        #expect(found.first?.line == 4)
        #expect(found.first?.message.contains("must not exceed baseline_minutes (10)") == true)
    }

    @Test func everyErrorIsReportedAtOnce() {
        let text = """
            rules:
              liquidity_drop: { drop_fraction: 1.5, window: 10 }
              spread_blowout: { factor: 0.5, colour: red }
              social_buzz: { baseline_minutes: 0 }
              nonsense_rule: {}
            symbols:
              ETH-USDT: { liquidity_drop: { min_samples: 0 } }
            extras: 1
            """
        do {
            _ = try parse(text, file: "p.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.issues.count == 8)
            #expect(error.issues.map(\.line) == [2, 2, 3, 3, 4, 5, 7, 8])
            #expect(error.description.split(separator: "\n").count == 8)
            #expect(error.description.hasPrefix("p.yaml:2: rules.liquidity_drop.drop_fraction: expected a number between 0 and 1, got 1.5"))
            #expect(error.file == "p.yaml" && error.line == 2 && error.key == "rules.liquidity_drop.drop_fraction")
        }
    }

    @Test func syntaxErrorsAndMissingFilesAreErrorsToo() {
        let syntax = issues("rules:\n  liquidity_drop: { drop_fraction: 0.5\n")
        #expect(syntax.count == 1)
        #expect(syntax.first?.message.hasPrefix("not valid YAML") == true)
        #expect((syntax.first?.line ?? 0) >= 2)
        do {
            _ = try YAMLPolicyFile(path: "/nonexistent/policy.yaml").load()
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "/nonexistent/policy.yaml")
            #expect(error.description.hasPrefix("/nonexistent/policy.yaml: cannot read the policy file"))
        }
    }

    @Test func duplicateKeysAndUsersAreRejected() {
        let dup = issues("rules:\n  liquidity_drop:\n    drop_fraction: 0.4\n    drop_fraction: 0.3\n")
        #expect(dup.count == 1)
        #expect(dup.first?.message.contains("duplicate keys drop_fraction") == true)
        let users = issues("users:\n  \"42\": { severity: info }\n  \"042\": { severity: info }\n")
        #expect(users.map(\.key) == ["users.042"])
        #expect(users.first?.line == 3)
    }

    @Test func policiesBuiltInCodeAreValidatedToo() throws {
        var rules = RiskPolicy.defaults.rules
        rules[.liquidityDrop]!.dropFraction = 2
        let policy = RiskPolicy(rules: rules, overrides: ["user:3": KeyOverride(rules: [.orderVelocity: ThresholdOverride(maxOrders: 0)])])
        do {
            try policy.validate(source: "db")
            Issue.record("expected an error")
        } catch {
            #expect(error.issues.map(\.key) == ["rules.liquidity_drop.drop_fraction", "users.3.order_velocity.max_orders"])
        }
        try RiskPolicy.defaults.validate(source: "db")
    }
}

// MARK: - Buffers, determinism and bounded state

@Suite("Alerting: state")
struct AlertStateTests {
    @Test func slidingMedianMatchesASortedWindow() {
        var rng = SplitMix64(state: 11)
        var median = SlidingMedian()
        var window: [(Int64, Double)] = []
        var t: Int64 = 0
        for _ in 0..<5000 {
            t += Int64.random(in: 0...3, using: &rng)
            let cutoff = t - 40
            median.expire(before: cutoff)
            window.removeAll { $0.0 < cutoff }
            // Few distinct values, so ties between the halves are exercised.
            let v = Double(Int.random(in: 0..<20, using: &rng))
            median.add(v, at: t)
            window.append((t, v))
            let sorted = window.map(\.1).sorted()
            let n = sorted.count
            let expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
            #expect(median.median == expected)
            #expect(median.count == n)
            if median.median != expected { return }
        }
        #expect(median.bufferedEntries < 4 * 200)
    }

    @Test func slidingMaxMatchesAScan() {
        var rng = SplitMix64(state: 5)
        var max = SlidingMax()
        var window: [(Int64, Double)] = []
        var t: Int64 = 0
        for _ in 0..<5000 {
            t += Int64.random(in: 0...3, using: &rng)
            max.expire(before: t - 30)
            window.removeAll { $0.0 < t - 30 }
            let v = Double.random(in: 0..<100, using: &rng)
            max.add(v, at: t)
            window.append((t, v))
            #expect(max.maximum == window.map(\.1).max())
            #expect(max.sampleCount == window.count)
        }
    }

    @Test func buffersShrinkAfterABurst() {
        var engine = AlertEngine(policy: .defaults)
        for k in 0..<10_000 { _ = engine.ingest(order(1, Double(k) * 0.0001)) }  // 10k orders in 1 s
        let during = engine.stateSize.bufferedEntries
        for k in 0..<200 { _ = engine.ingest(order(1, 100 + Double(k))) }       // then one a second
        #expect(during >= 10_000)
        #expect(engine.stateSize.bufferedEntries < 300)
    }

    /// A mixed stream, 10 ms of event time apart: books over 100 symbols, orders from a drifting
    /// population of users, posts over a drifting set of symbols, and periodic bursts so that
    /// every rule has something to fire on.
    private func stream(count: Int, seed: UInt64) -> [RiskInput] {
        var rng = SplitMix64(state: seed)
        var out: [RiskInput] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let t = t0 + Int64(i) * 10_000_000
            let r = Int.random(in: 0..<100, using: &rng)
            // Each user is active for about 200 s of event time; new ids keep arriving.
            let userBase = UInt64(i / 5000) * 10
            // Post symbols drift too, a new generation every 2,000 s.
            let postBase = i / 200_000 * 50
            if i % 50_000 < 30 {
                // A burst of 30 new orders in 0.3 s from one user.
                out.append(.order(userID: userBase, orderID: UInt64(i), symbol: "S1", status: "new", eventTime: t, intendedTime: t))
            } else if i % 100_000 >= 1000 && i % 100_000 < 1300 {
                // 300 posts in 3 s about one symbol.
                out.append(.post(symbol: "P\(postBase)", eventTime: t, intendedTime: t, sentiment: -0.5))
            } else if r < 50 {
                let s = Int.random(in: 0..<100, using: &rng)
                let thin = Int.random(in: 0..<500, using: &rng) == 0
                let depth = thin ? 5.0 : Double.random(in: 80...120, using: &rng)
                let wide = Int.random(in: 0..<500, using: &rng) == 0 ? 1.0 : 0.01
                out.append(.book(symbol: "S\(s)", eventTime: t, intendedTime: t - 1000,
                                 bids: [(100, depth / 4), (99.9, depth / 4)], asks: [(100 + wide, depth / 4), (100.1 + wide, depth / 4)]))
            } else if r < 80 {
                let user = userBase + UInt64.random(in: 0..<40, using: &rng)
                let status = ["new", "new", "canceled", "filled"][Int.random(in: 0..<4, using: &rng)]
                out.append(.order(userID: user, orderID: UInt64(i), symbol: "S1", status: status, eventTime: t, intendedTime: nil))
            } else {
                let s = postBase + Int.random(in: 0..<60, using: &rng)
                out.append(.post(symbol: "P\(s)", eventTime: t, intendedTime: t, sentiment: Double.random(in: -1...1, using: &rng)))
            }
        }
        return out
    }

    @Test func sameInputsGiveTheSameAlerts() {
        let inputs = stream(count: 200_000, seed: 42)
        var a = AlertEngine(policy: .defaults)
        var b = AlertEngine(policy: .defaults)
        let first = a.feed(inputs)
        let second = b.feed(inputs)
        #expect(first == second)
        #expect(first.count > 10)
        #expect(Set(first.map(\.rule)) == Set(AlertRule.allCases.map(\.rawValue)))
        #expect(a.suppressed == b.suppressed)
        #expect(a.evaluated == 200_000)
    }

    @Test func stateStaysBoundedOverAMillionInputs() {
        let inputs = stream(count: 1_000_000, seed: 7)
        var engine = AlertEngine(policy: .defaults)
        var keysSeen = Set<String>()
        var peaks: [(keys: Int, bufferedEntries: Int)] = []
        for (i, input) in inputs.enumerated() {
            _ = engine.ingest(input)
            switch input {
            case .order(let u, _, _, _, _, _): keysSeen.insert("u\(u)")
            case .post(let s, _, _, _): keysSeen.insert("p\(s)")
            case .book: break
            }
            if (i + 1) % 100_000 == 0 { peaks.append(engine.stateSize) }
        }
        // 2,000 users and 300 post symbols pass through; at any time only those active within
        // their horizon (plus slack and one sweep interval) are held.
        #expect(keysSeen.count > 2_000)
        for p in peaks {
            // Without forgetting there would be over 2,400 keys by the end; with it: the 100 book
            // symbols, about two generations of post symbols and four of users.
            #expect(p.keys < 400)
            #expect(p.bufferedEntries < 80_000)
        }
        // The second half holds no more than the first did: nothing accumulates.
        let firstHalf = peaks.prefix(5).map(\.bufferedEntries).max()!
        let secondHalf = peaks.suffix(5).map(\.bufferedEntries).max()!
        #expect(Double(secondHalf) <= Double(firstHalf) * 1.25)
    }
}

