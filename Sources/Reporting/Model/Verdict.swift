/// The outcome of a run and why; maps one-to-one onto rsbench's exit codes.
public struct Verdict: Codable, Sendable, Equatable {
    /// The four outcomes DESIGN §4 distinguishes.
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// All gates passed.
        case pass
        /// At least one gate failed.
        case failed
        /// rsbench itself could not hold the schedule, so the measurements are not trustworthy.
        case invalid
        /// The run could not be carried out (bad scenario, stack unreachable, crash).
        case error
        /// Stopped by the user (Ctrl-C); the numbers are partial.
        case aborted

        /// Whether the run's numbers describe the system: it ran its schedule to the end (its gates may have failed).
        /// Only such runs are compared with a baseline or kept as one.
        public var isMeasurement: Bool { self == .pass || self == .failed }

        /// Exit code of `rsbench run` (DESIGN §4): 0 pass, 1 gate failed, 2 invalid, 3 error.
        public var exitCode: Int32 {
            switch self {
            case .pass: 0
            case .failed: 1
            case .invalid: 2
            case .error, .aborted: 3
            }
        }
    }

    public var status: Status
    /// Human-readable reasons, one per line (failed gate, schedule-lag limit exceeded, ...).
    public var reasons: [String]

    public init(status: Status, reasons: [String] = []) {
        self.status = status
        self.reasons = reasons
    }
}
