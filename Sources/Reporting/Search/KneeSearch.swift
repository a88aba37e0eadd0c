/// The order of `rsbench search`'s probes, as a value fed one outcome at a time (no clock, no I/O), so its decisions
/// can be tested on recorded outcomes.
///
/// 1. **Step up**: probe `startScale`, then × `factor` while rates are sustainable (at most `maxSteps`).
/// 2. **Bisect** between the last sustainable and the first failing rate (at most `bisectSteps` midpoints).
/// 3. **Confirm**: repeat the probes at those two rates until each has `repeats`; each is decided by `RateTally.rule`
///    (a strict majority). A bound that flips moves the interval (a failing "sustainable" rate becomes the upper bound,
///    and the next sustainable rate below it is confirmed in turn), so one noisy probe cannot move the knee.
///
/// Nothing is probed past `maxProbes`; the result then says the knee is unconfirmed.
public struct KneeSearch: Sendable {
    /// The flags of `rsbench search` that shape the search.
    public struct Config: Sendable, Equatable {
        public var startScale: Double
        public var factor: Double
        public var maxSteps: Int
        public var bisectSteps: Int
        /// Probes at each of the two deciding rates (`--repeats`, at least 3).
        public var repeats: Int
        /// Most probes in all (`--max-probes`).
        public var maxProbes: Int
        /// Measured time of each probe (`--probe-duration`).
        public var probeDuration: Duration

        public init(startScale: Double = 1, factor: Double = 2, maxSteps: Int = 6, bisectSteps: Int = 3, repeats: Int = 3, maxProbes: Int = 24,
                    probeDuration: Duration = .seconds(20)) {
            self.startScale = startScale
            self.factor = factor
            self.maxSteps = maxSteps
            self.bisectSteps = bisectSteps
            self.repeats = repeats
            self.maxProbes = maxProbes
            self.probeDuration = probeDuration
        }

        /// The first flag whose value cannot run a search.
        public func validate() throws(SearchConfigError) {
            guard startScale.isFinite, startScale > 0 else { throw .outOfRange(flag: "--start-scale", value: "\(startScale)", expected: "a positive rate multiplier") }
            guard factor.isFinite, factor > 1, factor <= 1000 else { throw .outOfRange(flag: "--factor", value: "\(factor)", expected: "a multiplier above 1, at most 1000") }
            guard (1...100).contains(maxSteps) else { throw .outOfRange(flag: "--max-steps", value: "\(maxSteps)", expected: "1...100 step-up probes") }
            guard (0...100).contains(bisectSteps) else { throw .outOfRange(flag: "--bisect-steps", value: "\(bisectSteps)", expected: "0...100 bisection probes") }
            guard (3...15).contains(repeats) else { throw .outOfRange(flag: "--repeats", value: "\(repeats)", expected: "3...15 probes at each deciding rate") }
            guard (2 * repeats...1000).contains(maxProbes) else {
                throw .outOfRange(flag: "--max-probes", value: "\(maxProbes)", expected: "\(2 * repeats)...1000 (at least --repeats at both deciding rates)")
            }
            guard probeDuration >= .seconds(1), probeDuration <= .seconds(3600) else {
                throw .outOfRange(flag: "--probe-duration", value: "\(probeDuration)", expected: "1s...1h of measured time per probe")
            }
        }
    }

    /// Which stage asked for a probe.
    public enum Stage: String, Sendable, Codable {
        case stepUp = "step up", bisect, confirm
    }

    /// The next probe to run.
    public struct Step: Sendable, Equatable {
        public var rateScale: Double
        public var stage: Stage
    }

    public let config: Config
    /// Every probe so far, in the order it ran.
    public private(set) var probes: [SearchProbe] = []
    var steps = 0, bisections = 0
    /// The rate being confirmed: its repeats run back to back, so a tie half-way (1 of 2) never moves the interval.
    var confirming: Double?

    public init(config: Config) throws(SearchConfigError) {
        try config.validate()
        self.config = config
    }

    /// The probes grouped by rate scale, lowest first.
    public var tallies: [RateTally] {
        var byScale: [Double: [SearchProbe]] = [:]
        for p in probes { byScale[p.rateScale, default: []].append(p) }
        return byScale.keys.sorted().map { RateTally(rateScale: $0, probes: byScale[$0]!) }
    }

    /// The lowest failing rate, and the highest sustainable rate below it (below nothing when none failed).
    public var bounds: (sustainable: RateTally?, failing: RateTally?) {
        let t = tallies
        let failing = t.first { !$0.isSustainable }
        let sustainable = t.last { $0.isSustainable && $0.rateScale < (failing?.rateScale ?? .infinity) }
        return (sustainable, failing)
    }

    /// The next probe, or nil when the search is over (decided, or out of probes).
    public var next: Step? {
        guard probes.count < config.maxProbes else { return nil }
        if let c = confirming, probes.filter({ $0.rateScale == c }).count < config.repeats { return Step(rateScale: c, stage: .confirm) }
        let (lo, hi) = bounds
        if hi == nil, steps < config.maxSteps {
            return Step(rateScale: lo.map { $0.rateScale * config.factor } ?? config.startScale, stage: .stepUp)
        }
        if let lo, let hi, bisections < config.bisectSteps {
            let mid = (lo.rateScale + hi.rateScale) / 2
            // Midpoints closer than a thousandth of the rate tell nothing a repeat would not.
            if mid - lo.rateScale > lo.rateScale * 1e-3 { return Step(rateScale: mid, stage: .bisect) }
        }
        if let lo, lo.probes.count < config.repeats { return Step(rateScale: lo.rateScale, stage: .confirm) }
        if let hi, hi.probes.count < config.repeats { return Step(rateScale: hi.rateScale, stage: .confirm) }
        return nil
    }

    /// Takes the outcome of the probe `step` asked for.
    public mutating func record(_ probe: SearchProbe, for step: Step) {
        switch step.stage {
        case .stepUp: steps += 1
        case .bisect: bisections += 1
        case .confirm: confirming = step.rateScale
        }
        probes.append(probe)
    }

    /// Both bounds have their repeated probes (a missing bound needs none).
    public var isConfirmed: Bool {
        let (lo, hi) = bounds
        return (lo?.probes.count ?? config.repeats) >= config.repeats && (hi?.probes.count ?? config.repeats) >= config.repeats
    }

    /// What the search found so far.
    public func result(scenario: String) -> SearchResult {
        let (lo, hi) = bounds
        var note: String?
        if !isConfirmed {
            note = "stopped at --max-probes \(config.maxProbes) before both deciding rates had \(config.repeats) probes: the interval is unconfirmed"
        } else if hi == nil {
            note = "every rate probed was sustainable: raise --max-steps or --start-scale to find the knee"
        }
        return SearchResult(scenario: scenario, rule: RateTally.rule, probes: probes, rates: tallies, knee: lo, firstFailure: hi,
                            confirmed: isConfirmed, note: note)
    }
}

/// A `rsbench search` flag whose value cannot run a search; the message names the flag and what was expected.
public enum SearchConfigError: Error, Equatable, CustomStringConvertible {
    case outOfRange(flag: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .outOfRange(let flag, let value, let expected): "\(flag) \(value): expected \(expected)"
        }
    }
}
