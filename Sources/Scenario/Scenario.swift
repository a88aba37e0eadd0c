import LoadSource
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
        /// `stack: { nats_nodes: N }`: the local stack runs N clustered nats-servers (nil: the environment's, 1).
        public var natsNodes: Int?
    }

    /// When a run is invalid because rsbench itself could not hold the schedule, or took too much of the machine.
    public struct ValidityLimits: Sendable, Equatable {
        public var scheduleLagP99: Duration = .milliseconds(50)
        /// rsbench's own CPU over the measured window, as a share of the machine (1.0 = every core busy). 90 % leaves the
        /// system under test almost nothing; runs past it measure rsbench, not the pipeline.
        public var rsbenchCPU: Double = 0.9
    }

    /// Overrides for the pipeline that rsbench starts.
    public struct PipelineSettings: Sendable, Equatable {
        /// Consumers to run (default: those the workloads feed).
        public var consumers: [String]?
        public var batchSize: [String: Int] = [:]
        public var maxWait: [String: Duration] = [:]
        public var sentiment: String = "lexicon"
        /// Risk policy file for the pipeline's alert rules (`--policy`), as written in the scenario; nil: built-in thresholds.
        public var policy: String?
    }
}

/// One stream of traffic: a generator or a replayed capture, paced by a rate model.
public struct Workload: Sendable {
    public enum Source: Sendable, Equatable {
        /// A generator by kind with its parameters (validated against the generator's own list).
        case generator(kind: FeedKind, params: [String: ParamValue])
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
        /// Recorded subjects allowed besides the pipeline's own (NATS patterns); server API subjects never are.
        public var allowSubjects: [String] = []
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

/// A timed anomaly that must raise an alert.
public struct InjectionSpec: Sendable, Equatable {
    public static let kinds = Injection.Kind.allCases.map(\.rawValue)
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
