// Per-key detector state. Each struct is created once per key with that key's resolved
// thresholds (so the policy is not consulted per input) and keeps only time-pruned buffers.

/// Nanoseconds in a second and a minute, for window arithmetic on event times.
let nanosPerSecond: Int64 = 1_000_000_000
let nanosPerMinute: Int64 = 60 * nanosPerSecond

/// Where alerts and suppression counts go while one input is processed.
struct AlertOutput {
    var alerts: [RiskAlert] = []
    /// Indexed by `AlertRule.index`.
    var suppressed: [Int]
}

/// One rule's resolved settings for one key, and when it last raised an alert there.
struct RuleSlot: Sendable {
    let rule: AlertRule
    let thresholds: RuleThresholds
    let window: Int64
    let cooldown: Int64
    private var lastAlert: Int64?

    init(_ rule: AlertRule, _ thresholds: RuleThresholds) {
        self.rule = rule
        self.thresholds = thresholds
        // social_buzz measures mentions per minute whatever its window field says.
        self.window = rule == .socialBuzz ? nanosPerMinute : alertNanoseconds(thresholds.window)
        self.cooldown = alertNanoseconds(thresholds.cooldown)
    }

    var enabled: Bool { thresholds.enabled }

    /// How long after its last input a key's state for this rule can still matter.
    var horizon: Int64 { Swift.max(window, cooldown) }

    /// Raises the alert unless one for this (rule, key) was raised less than `cooldown` ago,
    /// in event time. A suppressed repeat does not extend the cooldown: it is measured from the
    /// alert that was actually sent, so a persistent condition re-alerts once per cooldown.
    /// The key and detail are built only for alerts actually sent: a condition that persists
    /// through its cooldown is checked on every input and must stay cheap.
    mutating func raise(key: @autoclosure () -> String, observed: Double, detail: @autoclosure () -> [String: Double],
                        at time: Int64, input: RiskInput, into out: inout AlertOutput) {
        if let last = lastAlert, time - last < cooldown {
            out.suppressed[rule.index] += 1
            return
        }
        lastAlert = time
        let eventTime = input.eventTime
        let key = key()
        out.alerts.append(RiskAlert(
            id: "\(rule.rawValue)-\(key)-\(eventTime)", rule: rule.rawValue, severity: thresholds.severity.rawValue,
            key: key, observed: observed, threshold: thresholds.threshold(for: rule),
            windowSeconds: Double(window) / 1e9, eventTime: eventTime, intendedTime: input.intendedTime, detail: detail()))
    }
}

/// The state an `AlertEngine` keeps per key, with what it needs to forget idle keys.
protocol KeyedDetectorState: Sendable {
    /// The latest (clamped) event time this key has seen.
    var lastTime: Int64 { get }
    /// After this much event time without input, the state is (near enough) a fresh one.
    var horizon: Int64 { get }
    /// Buffer slots held, for the bounded-state checks.
    var bufferedEntries: Int { get }
}

/// liquidity_drop and spread_blowout for one symbol.
struct BookState: KeyedDetectorState {
    var liquidity: RuleSlot
    var spread: RuleSlot
    private var depths = SlidingMax()
    private var spreads = SlidingMedian()
    private(set) var lastTime: Int64 = .min

    init(symbol: String, policy: RiskPolicy) {
        liquidity = RuleSlot(.liquidityDrop, policy.thresholds(rule: .liquidityDrop, key: symbol))
        spread = RuleSlot(.spreadBlowout, policy.thresholds(rule: .spreadBlowout, key: symbol))
    }

    var horizon: Int64 { Swift.max(liquidity.horizon, spread.horizon) }
    var bufferedEntries: Int { depths.bufferedEntries + spreads.bufferedEntries }

    mutating func ingest(symbol: String, time eventTime: Int64, bids: [(Double, Double)], asks: [(Double, Double)],
                         input: RiskInput, into out: inout AlertOutput) {
        // Streams can deliver a key's events slightly out of order; windows need a clock that
        // never goes back, so a late event counts as happening at the latest time seen.
        let t = Swift.max(eventTime, lastTime)
        lastTime = t

        // An empty book on both sides is what a feed reset looks like, not liquidity leaving.
        if liquidity.enabled, !(bids.isEmpty && asks.isEmpty) {
            var depth = 0.0
            for level in bids { depth += level.1 }
            for level in asks { depth += level.1 }
            if depth.isFinite && depth >= 0 {
                depths.expire(before: t &- liquidity.window)
                depths.add(depth, at: t)
                if depths.sampleCount >= liquidity.thresholds.minSamples, let peak = depths.maximum, peak > 0 {
                    let drop = (peak - depth) / peak
                    if drop > liquidity.thresholds.dropFraction {
                        liquidity.raise(key: symbol, observed: drop,
                                        detail: ["depth_before": peak, "depth_now": depth, "samples": Double(depths.sampleCount)],
                                        at: t, input: input, into: &out)
                    }
                }
            }
        }

        if spread.enabled, let bid = bids.first?.0, let ask = asks.first?.0, bid > 0, ask >= bid, ask.isFinite {
            let bps = (ask - bid) / ((ask + bid) / 2) * 10_000
            spreads.expire(before: t &- spread.window)
            // The baseline is the window before this sample, so a spike cannot dilute its own median.
            if spreads.count >= spread.thresholds.minSamples, let median = spreads.median, median > 0 {
                let ratio = bps / median
                if ratio > spread.thresholds.factor {
                    spread.raise(key: symbol, observed: ratio,
                                 detail: ["spread_bps": bps, "median_bps": median, "samples": Double(spreads.count)],
                                 at: t, input: input, into: &out)
                }
            }
            spreads.add(bps, at: t)
        }
    }
}

/// order_velocity and aggressive_cancels for one user.
struct UserState: KeyedDetectorState {
    var velocity: RuleSlot
    var cancels: RuleSlot
    /// Times of "new" orders, kept for the longer of the two windows.
    private var newTimes = Ring<Int64>()
    /// Sequence number of `newTimes[0]`, and of the first new order inside each rule's window:
    /// two cursors over one buffer instead of two buffers.
    private var firstSeq = 0
    private var velocityStart = 0
    private var cancelsStart = 0
    private var cancelTimes = Ring<Int64>()
    private(set) var lastTime: Int64 = .min

    init(key: String, policy: RiskPolicy) {
        velocity = RuleSlot(.orderVelocity, policy.thresholds(rule: .orderVelocity, key: key))
        cancels = RuleSlot(.aggressiveCancels, policy.thresholds(rule: .aggressiveCancels, key: key))
    }

    var horizon: Int64 { Swift.max(velocity.horizon, cancels.horizon) }
    var bufferedEntries: Int { newTimes.capacity + cancelTimes.capacity }

    private var endSeq: Int { firstSeq + newTimes.count }

    /// Moves a window's cursor past new orders older than `cutoff`.
    private func advanced(_ cursor: Int, cutoff: Int64) -> Int {
        var start = Swift.max(cursor, firstSeq)
        while start < endSeq, newTimes[start - firstSeq] < cutoff { start += 1 }
        return start
    }

    mutating func ingest(userID: UInt64, status: String, time eventTime: Int64, input: RiskInput, into out: inout AlertOutput) {
        let t = Swift.max(eventTime, lastTime)
        lastTime = t
        let isNew = status == "new"
        // Exchanges spell it both ways.
        let isCancel = !isNew && (status == "canceled" || status == "cancelled")
        guard isNew || isCancel else { return }
        guard velocity.enabled || cancels.enabled else { return }

        if isNew { newTimes.append(t) } else if cancels.enabled { cancelTimes.append(t) }
        // A disabled rule's window is empty, so it keeps no new orders alive in the shared buffer.
        let velocityCutoff = velocity.enabled ? t &- velocity.window : t
        let cancelsCutoff = cancels.enabled ? t &- cancels.window : t
        velocityStart = advanced(velocityStart, cutoff: velocityCutoff)
        cancelsStart = advanced(cancelsStart, cutoff: cancelsCutoff)
        // Entries before both cursors are outside both windows.
        while firstSeq < Swift.min(velocityStart, cancelsStart) { newTimes.removeFirst(); firstSeq += 1 }
        while let c = cancelTimes.first, c < cancelsCutoff { cancelTimes.removeFirst() }

        let key = { RiskPolicy.userKey(userID) }
        if isNew && velocity.enabled {
            let count = endSeq - velocityStart
            if count > velocity.thresholds.maxOrders {
                velocity.raise(key: key(), observed: Double(count), detail: ["new_orders": Double(count)],
                               at: t, input: input, into: &out)
            }
        }
        // A new order can also complete the ratio's minimum sample, so both statuses re-check it.
        if cancels.enabled {
            let news = endSeq - cancelsStart
            if news >= cancels.thresholds.minOrders {
                let ratio = Double(cancelTimes.count) / Double(news)
                if ratio > cancels.thresholds.maxRatio {
                    cancels.raise(key: key(), observed: ratio,
                                  detail: ["cancels": Double(cancelTimes.count), "new_orders": Double(news)],
                                  at: t, input: input, into: &out)
                }
            }
        }
    }
}

/// social_buzz for one symbol: a sliding one-minute mention count against per-minute history.
struct BuzzState: KeyedDetectorState {
    private struct Post: Sendable { var time: Int64; var sentiment: Double }
    private struct Minute: Sendable { var minute: Int64 = .min; var count = 0; var sentimentSum = 0.0 }

    var slot: RuleSlot
    /// Posts in the current window (t − 60 s, t].
    private var current = Ring<Post>()
    private var currentSentiment = 0.0
    /// Per-minute counts, a ring of baseline_minutes + 2 slots indexed by minute number: the
    /// baseline, the minute overlapping the current window, and the minute being filled.
    private var minutes: [Minute]
    private let baselineMinutes: Int64
    private var firstMinute: Int64 = .min
    /// The last minute folded into the running sums; the baseline is the `baselineMinutes`
    /// minutes ending here. It lags the current minute by two, so no post counts in both the
    /// current window and the baseline.
    private var baselineThrough: Int64 = .min
    private var sumCount = 0
    private var sumSquares = 0
    private var sumSentiment = 0.0
    private(set) var lastTime: Int64 = .min

    init(symbol: String, policy: RiskPolicy) {
        slot = RuleSlot(.socialBuzz, policy.thresholds(rule: .socialBuzz, key: symbol))
        baselineMinutes = Int64(Swift.max(1, slot.thresholds.baselineMinutes))
        minutes = Array(repeating: Minute(), count: Int(baselineMinutes) + 2)
    }

    /// Past this, the baseline holds only empty minutes; forgetting the key then only resets
    /// how much history it has (a symbol back from silence must build min_baseline_minutes again).
    var horizon: Int64 { Swift.max((baselineMinutes + 2) * nanosPerMinute, slot.cooldown) }
    var bufferedEntries: Int { current.capacity + minutes.count }

    private func slotIndex(_ minute: Int64) -> Int {
        let n = Int64(minutes.count)
        return Int(((minute % n) + n) % n)
    }

    /// Folds completed minutes into the running sums and drops those leaving the baseline.
    /// O(minutes elapsed), at most O(ring size): amortised O(1) per post.
    private mutating func advanceBaseline(through target: Int64) {
        guard target > baselineThrough else { return }
        if target - baselineThrough > baselineMinutes {
            // Everything in the sums has left the baseline: refold just the minutes now in it.
            sumCount = 0; sumSquares = 0; sumSentiment = 0
            for m in (target - baselineMinutes + 1)...target {
                let entering = minutes[slotIndex(m)]
                if entering.minute == m {
                    sumCount += entering.count
                    sumSquares += entering.count * entering.count
                    sumSentiment += entering.sentimentSum
                }
            }
            baselineThrough = target
            if sumCount == 0 { sumSentiment = 0 }
            return
        }
        // Within one baseline's length every leaving minute is still in its slot (a slot is only
        // reused baseline_minutes + 2 minutes later), so subtracting it is exact.
        while baselineThrough < target {
            baselineThrough += 1
            let entering = minutes[slotIndex(baselineThrough)]
            if entering.minute == baselineThrough {
                sumCount += entering.count
                sumSquares += entering.count * entering.count
                sumSentiment += entering.sentimentSum
            }
            let leavingMinute = baselineThrough - baselineMinutes
            let leaving = minutes[slotIndex(leavingMinute)]
            if leaving.minute == leavingMinute {
                sumCount -= leaving.count
                sumSquares -= leaving.count * leaving.count
                sumSentiment -= leaving.sentimentSum
            }
        }
        if sumCount == 0 { sumSentiment = 0 }  // shed floating-point residue while the baseline is quiet
    }

    mutating func ingest(symbol: String, time eventTime: Int64, sentiment rawSentiment: Double,
                         input: RiskInput, into out: inout AlertOutput) {
        let t = Swift.max(eventTime, lastTime)
        lastTime = t
        guard slot.enabled else { return }
        // A post the scorer could not score still counts as a mention, with neutral sentiment.
        let sentiment = rawSentiment.isFinite ? rawSentiment : 0
        let minute = t >= 0 ? t / nanosPerMinute : (t - nanosPerMinute + 1) / nanosPerMinute
        if firstMinute == .min {
            firstMinute = minute
            baselineThrough = minute - 2
        }
        advanceBaseline(through: minute - 2)

        let i = slotIndex(minute)
        if minutes[i].minute != minute { minutes[i] = Minute(minute: minute) }
        minutes[i].count += 1
        minutes[i].sentimentSum += sentiment

        let cutoff = t &- nanosPerMinute
        while let p = current.first, p.time <= cutoff {
            currentSentiment -= p.sentiment
            current.removeFirst()
        }
        if current.isEmpty { currentSentiment = 0 }
        current.append(Post(time: t, sentiment: sentiment))
        currentSentiment += sentiment

        // Minutes since the symbol was first seen count, empty or not; before that there is no history.
        let history = Swift.min(baselineMinutes, baselineThrough - firstMinute + 1)
        guard history >= Int64(slot.thresholds.minBaselineMinutes) else { return }
        let n = Double(history)
        let mean = Double(sumCount) / n
        let variance = Swift.max(0, Double(sumSquares) / n - mean * mean)
        let stddev = Swift.max(variance.squareRoot(), slot.thresholds.minStddev)
        let count = Double(current.count)
        let z = (count - mean) / stddev
        guard z > slot.thresholds.z else { return }
        let currentMean = currentSentiment / count
        let baselineMean = sumCount > 0 ? sumSentiment / Double(sumCount) : 0
        slot.raise(key: symbol, observed: z, detail: [
            "sentiment_swing": currentMean - baselineMean,
            "current_sentiment": currentMean,
            "baseline_sentiment": baselineMean,
            "current_count": count,
            "baseline_mean": mean,
            "baseline_stddev": stddev,
            "baseline_minutes": n,
        ], at: t, input: input, into: &out)
    }
}
