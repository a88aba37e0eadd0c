/// A process's CPU and memory in one second.
public struct ProcessSample: Codable, Sendable, Equatable {
    /// CPU use in percent of one core (200 = two cores busy).
    public var cpuPercent: Double
    /// Resident set size in MiB.
    public var rssMB: Double

    public init(cpuPercent: Double, rssMB: Double) {
        self.cpuPercent = cpuPercent
        self.rssMB = rssMB
    }
}
