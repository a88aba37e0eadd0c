/// CPU and memory one process of the stack used over the measured window.
public struct ProcessResources: Codable, Sendable, Equatable {
    /// Component name as the run samples it: `rsbench`, `risksignal`, `nats-server`, `clickhouse`.
    public var name: String
    public var pid: Int32?
    /// CPU seconds (user + system) consumed during the measured window (warm-up and drain excluded).
    public var cpuSeconds: Double
    /// Mean CPU over the measured window, in percent of one core.
    public var cpuPercentMean: Double
    /// Highest one-second CPU in the measured window, in percent of one core.
    public var cpuPercentMax: Double
    /// Highest RSS in MiB.
    public var rssMaxMB: Double
    /// CPU seconds over the whole run: warm-up, window and drain (absent in summaries written before 1.2).
    public var cpuSecondsWholeRun: Double?
    /// `cpuSeconds` in µs ÷ the events rsbench published in the window; absent when it published none.
    public var cpuUsPerEvent: Double?
    /// `cpuSecondsWholeRun` in µs ÷ every event rsbench published in the run.
    public var cpuUsPerEventWholeRun: Double?

    public init(name: String, pid: Int32? = nil, cpuSeconds: Double, cpuPercentMean: Double, cpuPercentMax: Double, rssMaxMB: Double,
                cpuSecondsWholeRun: Double? = nil, cpuUsPerEvent: Double? = nil, cpuUsPerEventWholeRun: Double? = nil) {
        self.name = name
        self.pid = pid
        self.cpuSeconds = cpuSeconds
        self.cpuPercentMean = cpuPercentMean
        self.cpuPercentMax = cpuPercentMax
        self.rssMaxMB = rssMaxMB
        self.cpuSecondsWholeRun = cpuSecondsWholeRun
        self.cpuUsPerEvent = cpuUsPerEvent
        self.cpuUsPerEventWholeRun = cpuUsPerEventWholeRun
    }
}
