import Foundation

/// Inputs of `rsbench plan` besides the reports.
public struct PlanOptions: Sendable, Equatable, Codable {
    /// Events per second the plan is for.
    public var targetRate: Double
    /// Days ClickHouse keeps data (the TTL), e.g. 30.
    public var retentionDays: Double
    /// Fraction of the cores the plan may keep busy; headroom for bursts and merges.
    public var cpuUtilisationTarget: Double = 0.7
    /// Fraction of RAM the processes' RSS may fill; the rest is page cache and the OS.
    public var memoryUtilisationTarget: Double = 0.7
    /// Fraction of the disk the data may fill; ClickHouse merges need free space.
    public var diskFillTarget: Double = 0.7
    /// Overrides the JetStream streams' `max_age` (seconds) when the report lacks it or to plan a different one.
    public var jetStreamMaxAgeSeconds: Double?
    /// Processes left out of the plan: the load generator does not run in production.
    public var excludedProcesses: [String] = ["rsbench"]
    public var targets: SizingTargets = SizingTargets()

    public init(targetRate: Double, retentionDays: Double, cpuUtilisationTarget: Double = 0.7, memoryUtilisationTarget: Double = 0.7, diskFillTarget: Double = 0.7, jetStreamMaxAgeSeconds: Double? = nil, excludedProcesses: [String] = ["rsbench"], targets: SizingTargets = SizingTargets()) {
        self.targetRate = targetRate
        self.retentionDays = retentionDays
        self.cpuUtilisationTarget = cpuUtilisationTarget
        self.memoryUtilisationTarget = memoryUtilisationTarget
        self.diskFillTarget = diskFillTarget
        self.jetStreamMaxAgeSeconds = jetStreamMaxAgeSeconds
        self.excludedProcesses = excludedProcesses
        self.targets = targets
    }

    /// Parses a retention like `30d`, `2w`, `36h` or a bare number of days.
    public static func parseRetentionDays(_ text: String) throws -> Double {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("d", 1), ("w", 7), ("h", 1.0 / 24)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            if let v = Double(t.dropLast()), v > 0 { return v * factor }
        }
        if let v = Double(t), v > 0 { return v }
        throw ReportingError.invalidPlanInput("retention \"\(text)\" is not a duration; use e.g. 30d, 2w or 36h")
    }
}
