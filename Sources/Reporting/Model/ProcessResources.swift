/// CPU and memory one process of the stack used over the measured window.
public struct ProcessResources: Codable, Sendable, Equatable {
    /// Component name, e.g. `nats-server`, `clickhouse-server`, `risksignal-consumer`, `rsbench`.
    public var name: String
    public var pid: Int32?
    /// CPU seconds (user + system) consumed during the measured window.
    public var cpuSeconds: Double
    /// Mean CPU in percent of one core.
    public var cpuPercentMean: Double
    /// Highest one-second CPU in percent of one core.
    public var cpuPercentMax: Double
    /// Highest RSS in MiB.
    public var rssMaxMB: Double

    public init(name: String, pid: Int32? = nil, cpuSeconds: Double, cpuPercentMean: Double, cpuPercentMax: Double, rssMaxMB: Double) {
        self.name = name
        self.pid = pid
        self.cpuSeconds = cpuSeconds
        self.cpuPercentMean = cpuPercentMean
        self.cpuPercentMax = cpuPercentMax
        self.rssMaxMB = rssMaxMB
    }
}
