import Reporting

/// Per-second CPU (fraction of one core) and RSS of the processes of a run.
public struct ResourceSeries: Sendable, Codable {
    public var process: String
    public var pid: Int32
    public var cpu: [Double] = []
    public var rssMB: [Double] = []
    var last: ProcStat?
    var lastTime: Double?

    public init(process: String, pid: Int32) {
        self.process = process
        self.pid = pid
    }

    /// Appends one sample; `now` in seconds on a monotonic clock.
    public mutating func sample(now: Double) {
        guard let s = ProcStat.read(pid: pid) else { return }
        if let l = last, let t = lastTime, now > t {
            cpu.append(max(0, (s.cpuSeconds - l.cpuSeconds) / (now - t)))
            rssMB.append(Double(s.rssBytes) / 1_048_576)
        }
        last = s
        lastTime = now
    }

    public var meanCPU: Double { cpu.isEmpty ? 0 : cpu.reduce(0, +) / Double(cpu.count) }
    public var maxRSSMB: Double { rssMB.max() ?? 0 }
}

extension ResourceSeries {
    /// The run's totals for this process, as the report shows them.
    public var resources: ProcessResources {
        ProcessResources(name: process, pid: pid, cpuSeconds: cpu.reduce(0, +), cpuPercentMean: meanCPU * 100,
                         cpuPercentMax: (cpu.max() ?? 0) * 100, rssMaxMB: maxRSSMB)
    }
}
