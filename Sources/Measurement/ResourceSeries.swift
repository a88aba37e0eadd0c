import Observability
import Reporting

/// Per-second CPU (fraction of one core) and RSS of the processes of a run.
public struct ResourceSeries: Sendable, Codable {
    /// One reading of a process's cumulative CPU time, at a time on the run's clock.
    public struct CPUReading: Sendable, Codable, Equatable {
        /// Seconds since the load's start instant.
        public var t: Double
        /// User + system CPU seconds since the process started.
        public var cpuSeconds: Double

        public init(t: Double, cpuSeconds: Double) {
            self.t = t
            self.cpuSeconds = cpuSeconds
        }
    }

    public var process: String
    public var pid: Int32
    public var cpu: [Double] = []
    public var rssMB: [Double] = []
    /// The once-a-second cumulative readings. The window's CPU is a difference of two of these (interpolated), so
    /// it does not depend on the per-second rates or on how many samples a late tick missed.
    public var readings: [CPUReading] = []
    /// One more reading after the drain: the whole run includes the work the pipeline did to catch up.
    public var finalReading: CPUReading?
    /// RSS at the after-drain reading (kept apart from `rssMB`, which lines up with `cpu` second by second).
    public var finalRSSMB: Double?

    public init(process: String, pid: Int32) {
        self.process = process
        self.pid = pid
    }

    /// Appends one sample; `now` in seconds on a monotonic clock.
    public mutating func sample(now: Double) {
        guard let s = ProcStat.read(pid: pid) else { return }
        record(s, at: now)
    }

    /// Appends a reading taken at `now` (seconds since the load's start instant).
    public mutating func record(_ s: ProcStat, at now: Double) {
        if let l = readings.last, now > l.t {
            cpu.append(max(0, (s.cpuSeconds - l.cpuSeconds) / (now - l.t)))
            rssMB.append(Double(s.rssBytes) / 1_048_576)
        }
        readings.append(CPUReading(t: now, cpuSeconds: s.cpuSeconds))
    }

    /// Takes the after-drain reading; it never adds a per-second sample (its interval is not a second).
    public mutating func sampleAfterDrain(now: Double) {
        guard let s = ProcStat.read(pid: pid) else { return }
        recordAfterDrain(s, at: now)
    }

    public mutating func recordAfterDrain(_ s: ProcStat, at now: Double) {
        guard readings.last.map({ now > $0.t }) ?? true else { return }
        finalReading = CPUReading(t: now, cpuSeconds: s.cpuSeconds)
        finalRSSMB = Double(s.rssBytes) / 1_048_576
    }

    public var meanCPU: Double { cpu.isEmpty ? 0 : cpu.reduce(0, +) / Double(cpu.count) }
    public var maxRSSMB: Double { max(rssMB.max() ?? 0, finalRSSMB ?? 0) }

    /// Cumulative CPU seconds at `t`, linear between the two readings around it; nil outside the readings.
    func cpuSeconds(at t: Double) -> Double? {
        guard let first = readings.first, let last = readings.last, t >= first.t, t <= last.t else { return nil }
        guard let i = readings.firstIndex(where: { $0.t >= t }) else { return last.cpuSeconds }
        let b = readings[i]
        if i == 0 || b.t == t { return b.cpuSeconds }
        let a = readings[i - 1]
        return a.cpuSeconds + (b.cpuSeconds - a.cpuSeconds) * (t - a.t) / (b.t - a.t)
    }

    /// The part of `from...to` the once-a-second readings cover (a run stopped early, or a warm-up shorter than the
    /// first tick, covers less than the window); nil when they cover none of it.
    public func covered(from: Double, to: Double) -> ClosedRange<Double>? {
        guard let first = readings.first, let last = readings.last else { return nil }
        let lo = max(from, first.t), hi = min(to, last.t)
        return hi > lo ? lo...hi : nil
    }

    /// CPU seconds the process used between `from` and `to` (seconds since the start instant), over the part the
    /// readings cover.
    public func cpuSeconds(from: Double, to: Double) -> Double {
        guard let span = covered(from: from, to: to), let a = cpuSeconds(at: span.lowerBound), let b = cpuSeconds(at: span.upperBound) else { return 0 }
        return max(0, b - a)
    }

    /// CPU seconds from the first reading to the after-drain reading (or the last reading): warm-up, window and drain.
    public var cpuSecondsWholeRun: Double {
        guard let first = readings.first, let last = finalReading ?? readings.last else { return 0 }
        return max(0, last.cpuSeconds - first.cpuSeconds)
    }

    /// Seconds the whole-run figure covers.
    public var wholeRunSeconds: Double {
        guard let first = readings.first, let last = finalReading ?? readings.last else { return 0 }
        return last.t - first.t
    }
}

extension ResourceSeries {
    /// The totals so far, over every sample: what the live gates read while the run is still sending.
    public var resources: ProcessResources {
        ProcessResources(name: process, pid: pid, cpuSeconds: cpu.reduce(0, +), cpuPercentMean: meanCPU * 100,
                         cpuPercentMax: (cpu.max() ?? 0) * 100, rssMaxMB: maxRSSMB)
    }

    /// The report's figures: CPU over the measured window `from...to` (seconds since the start instant; warm-up and
    /// drain excluded), its mean and highest one-second rate, and the CPU of the whole run beside it.
    public func resources(window from: Double, to: Double) -> ProcessResources {
        let span = covered(from: from, to: to)
        let seconds = cpuSeconds(from: from, to: to)
        var peak = 0.0
        if let span {
            for (a, b) in zip(readings, readings.dropFirst()) where a.t >= span.lowerBound - 1e-9 && b.t <= span.upperBound + 1e-9 && b.t > a.t {
                peak = max(peak, (b.cpuSeconds - a.cpuSeconds) / (b.t - a.t))
            }
        }
        let length = span.map { $0.upperBound - $0.lowerBound } ?? 0
        var r = ProcessResources(name: process, pid: pid, cpuSeconds: seconds, cpuPercentMean: length > 0 ? seconds / length * 100 : 0,
                                 cpuPercentMax: peak * 100, rssMaxMB: maxRSSMB)
        r.cpuSecondsWholeRun = cpuSecondsWholeRun
        return r
    }
}
