import RiskSignalCore
/// A load-test scenario: what to run against which stack, for how long, and what must hold.
public struct Scenario: Sendable {
    public var name: String
    public var description: String
    /// The file it came from (for messages and report fingerprints).
    public var file: String
    public var duration: Duration
    public var warmup: Duration
    public var drainTimeout: Duration
    public var seed: UInt64
    /// Multiplies every workload's rate.
    public var rateScale: Double
    public var target: Target
    public var limits: ValidityLimits
    public var pipeline: PipelineSettings
    public var workloads: [Workload]
    public var injections: [InjectionSpec]
    public var gates: [Gate]
    /// SHA-256 of the file's bytes, for reports.
    public var sourceText: String

    /// Where the stack is; nil URLs mean the local stack.
    public struct Target: Sendable, Equatable {
        public var natsURL: String?
        public var clickHouseURL: String?
    }

    /// When a run is invalid because rsbench itself could not hold the schedule.
    public struct ValidityLimits: Sendable, Equatable {
        public var scheduleLagP99: Duration = .milliseconds(50)
        /// rsbench's own CPU, as a fraction of one core (1.0 = one core fully busy).
        public var rsbenchCPU: Double = 1.8
    }

    /// Overrides for the pipeline that rsbench starts.
    public struct PipelineSettings: Sendable, Equatable {
        /// Consumers to run (default: those the workloads feed).
        public var consumers: [String]?
        public var batchSize: [String: Int] = [:]
        public var maxWait: [String: Duration] = [:]
        public var sentiment: String = "lexicon"
    }
}

/// One stream of traffic: a generator or a replayed capture, paced by a rate model.
public struct Workload: Sendable {
    public enum Source: Sendable, Equatable {
        /// A generator by name with its parameters (validated against the generator's own list).
        case generator(kind: String, params: [String: ParamValue])
        case replay(ReplaySpec)
    }

    /// A replayed capture as written in the scenario (`replay: fixtures/…` with its timing options).
    public struct ReplaySpec: Sendable, Equatable {
        public var path: String
        public var format = "auto"
        public var speed: Double = 1
        public var topSpeed = false
        public var loops = 1
        public var maxRate: Double?
        public var maxGap: Duration?
        public var symbols: [String]?
        public var keepTimes = false
        /// For social JSONL: our field → the file's field.
        public var fields: [String: String] = [:]

        public init(path: String) { self.path = path }
    }

    public var name: String
    public var source: Source
    public var rate: RateSpec
    /// Closed-loop mode (what many load tools do): at most this many events may be sent but not yet stored;
    /// the sender waits otherwise. Used to show coordinated omission; nil is open loop (the default).
    public var closedLoop: Int? = nil
    /// Line of the workload in the scenario file.
    public var line: Int
}

/// A generator parameter as written: a number, a string, or a list of strings.
public enum ParamValue: Sendable, Equatable {
    case number(Double)
    case string(String)
    case strings([String])
}

/// How a workload's arrivals are spaced (DESIGN §4 load model); rates are events per second.
public enum RateSpec: Sendable, Equatable {
    case constant(Double)
    case poisson(Double)
    /// k6-style: the rate moves linearly from `start` to each stage's target over the stage.
    case ramp(start: Double, stages: [Stage])
    /// Piecewise constant: each stage holds its rate.
    case step([Stage])
    /// Poisson within alternating on and off phases.
    case bursts(onRate: Double, offRate: Double, on: Duration, off: Duration)
    /// Self-exciting: baseline rate, excitation per event and decay (1/s); excitation/decay < 1.
    case hawkes(baseline: Double, excitation: Double, decay: Double)

    public struct Stage: Sendable, Equatable {
        public var duration: Duration
        public var rate: Double
    }

    /// Long-run mean rate (events/s), before the scenario's rate_scale.
    public var meanRate: Double {
        switch self {
        case .constant(let r), .poisson(let r): return r
        case .ramp(let start, let stages):
            var prev = start, total = 0.0, time = 0.0
            for s in stages { total += (prev + s.rate) / 2 * s.duration.seconds; time += s.duration.seconds; prev = s.rate }
            return time > 0 ? total / time : start
        case .step(let stages):
            let time = stages.reduce(0) { $0 + $1.duration.seconds }
            return time > 0 ? stages.reduce(0) { $0 + $1.rate * $1.duration.seconds } / time : 0
        case .bursts(let on, let off, let a, let b):
            return (on * a.seconds + off * b.seconds) / max(1e-9, a.seconds + b.seconds)
        case .hawkes(let mu, let alpha, let beta):
            return mu / (1 - alpha / beta)
        }
    }
}

/// A timed anomaly that must raise an alert.
public struct InjectionSpec: Sendable, Equatable {
    public static let kinds = ["liquidity_drop", "spread_blowout", "order_velocity", "social_buzz"]
    /// Offset from the start of the measured window.
    public var at: Duration
    public var kind: String
    /// A symbol, or a user id for order_velocity.
    public var target: String
    /// Fraction of depth removed, spread factor, orders per second, or mention multiplier.
    public var magnitude: Double
    public var duration: Duration
    public var line: Int
}
