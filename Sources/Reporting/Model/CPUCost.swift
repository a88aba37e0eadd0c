import Foundation

/// What one event costs this machine in CPU, per process and for the whole stack.
///
/// Definition: the CPU-seconds (user + system) a process used during the measured window (warm-up and drain
/// excluded), in µs, ÷ the events rsbench published with an intended send time in that window (the offered workload).
/// Every process shares that one denominator, so the per-process figures add up to the stack's. The same figures over
/// the whole run (warm-up, window and drain, ÷ every event published) sit beside them, so nothing is hidden.
public struct CPUCost: Codable, Sendable, Equatable {
    /// rsbench above this share of the machine (all cores) over the window gets a warning: the harness then competes
    /// with the system it measures for CPU. A quarter leaves three quarters of the machine to the pipeline and servers.
    public static let selfShareWarning = 0.25
    /// The name the stack's total goes by in gates (`cpu_us_per_event.stack`) and tables.
    public static let stackName = "stack"

    /// The whole stack: every sampled process summed.
    public struct Total: Codable, Sendable, Equatable {
        /// CPU seconds in the measured window.
        public var cpuSeconds: Double
        /// Mean CPU over the window, in percent of one core (200 = two cores busy).
        public var cpuPercentMean: Double
        /// µs of CPU per event published in the window; absent when none was.
        public var cpuUsPerEvent: Double?
        /// CPU seconds over the whole run.
        public var cpuSecondsWholeRun: Double
        /// µs of CPU per event over the whole run.
        public var cpuUsPerEventWholeRun: Double?
        /// Sum of the processes' highest RSS (an upper bound: the peaks need not coincide).
        public var rssMaxMB: Double

        public init(cpuSeconds: Double, cpuPercentMean: Double, cpuUsPerEvent: Double?, cpuSecondsWholeRun: Double, cpuUsPerEventWholeRun: Double?, rssMaxMB: Double) {
            self.cpuSeconds = cpuSeconds
            self.cpuPercentMean = cpuPercentMean
            self.cpuUsPerEvent = cpuUsPerEvent
            self.cpuSecondsWholeRun = cpuSecondsWholeRun
            self.cpuUsPerEventWholeRun = cpuUsPerEventWholeRun
            self.rssMaxMB = rssMaxMB
        }
    }

    /// Events rsbench published with an intended send time in the measured window: the denominator of every process.
    public var events: UInt64
    /// Every event rsbench published in the run (warm-up included): the whole-run denominator.
    public var eventsWholeRun: UInt64
    /// Seconds of the measured window the CPU readings cover.
    public var windowSeconds: Double
    /// Seconds the whole-run figures cover (first reading to after the drain).
    public var wholeRunSeconds: Double
    /// Logical cores of the machine; a share of the machine is of all of them.
    public var cores: Int
    public var stack: Total
    /// rsbench's CPU over the window as a share of the machine (1 = every core busy); absent when rsbench was not sampled.
    public var rsbenchShare: Double?
    /// The share above which `warning` is set.
    public var warningShare: Double
    /// Set when rsbench took more than `warningShare` of the machine.
    public var warning: String?

    public init(events: UInt64, eventsWholeRun: UInt64, windowSeconds: Double, wholeRunSeconds: Double, cores: Int, stack: Total,
                rsbenchShare: Double?, warningShare: Double = CPUCost.selfShareWarning, warning: String? = nil) {
        self.events = events
        self.eventsWholeRun = eventsWholeRun
        self.windowSeconds = windowSeconds
        self.wholeRunSeconds = wholeRunSeconds
        self.cores = cores
        self.stack = stack
        self.rsbenchShare = rsbenchShare
        self.warningShare = warningShare
        self.warning = warning
    }

    /// µs per event, or nil when there were no events to share the CPU among.
    static func perEvent(_ cpuSeconds: Double, _ events: UInt64) -> Double? {
        events > 0 ? cpuSeconds * 1e6 / Double(events) : nil
    }

    /// Fills each process's per-event figures and returns the stack's, with rsbench's share of the machine.
    /// `resources` must already hold each process's window and whole-run CPU seconds.
    public static func compute(_ resources: inout [ProcessResources], events: UInt64, eventsWholeRun: UInt64, windowSeconds: Double,
                               wholeRunSeconds: Double, cores: Int, warningShare: Double = selfShareWarning) -> CPUCost {
        for i in resources.indices {
            resources[i].cpuUsPerEvent = perEvent(resources[i].cpuSeconds, events)
            resources[i].cpuUsPerEventWholeRun = resources[i].cpuSecondsWholeRun.flatMap { perEvent($0, eventsWholeRun) }
        }
        let cpu = resources.reduce(0) { $0 + $1.cpuSeconds }
        let whole = resources.reduce(0) { $0 + ($1.cpuSecondsWholeRun ?? 0) }
        let stack = Total(cpuSeconds: cpu, cpuPercentMean: resources.reduce(0) { $0 + $1.cpuPercentMean },
                          cpuUsPerEvent: perEvent(cpu, events), cpuSecondsWholeRun: whole, cpuUsPerEventWholeRun: perEvent(whole, eventsWholeRun),
                          rssMaxMB: resources.reduce(0) { $0 + $1.rssMaxMB })
        let n = max(1, cores)
        let share = resources.first { $0.name == "rsbench" }.map { $0.cpuPercentMean / 100 / Double(n) }
        var cost = CPUCost(events: events, eventsWholeRun: eventsWholeRun, windowSeconds: windowSeconds, wholeRunSeconds: wholeRunSeconds,
                           cores: n, stack: stack, rsbenchShare: share, warningShare: warningShare)
        if let share, share > warningShare {
            cost.warning = String(format: "rsbench took %.0f%% of the machine (%.0f%% of one core, %d cores) over the measured window, above %.0f%%: "
                                  + "the harness competes with the pipeline for CPU, so the figures partly measure rsbench itself; "
                                  + "lower --rate-scale or run rsbench on another machine", share * 100, share * 100 * Double(n), n, warningShare * 100)
        }
        return cost
    }

    /// A process's share of the stack's CPU in the window (0...1), or nil when the stack used none.
    public func shareOfStack(_ p: ProcessResources) -> Double? {
        stack.cpuSeconds > 0 ? p.cpuSeconds / stack.cpuSeconds : nil
    }
}
