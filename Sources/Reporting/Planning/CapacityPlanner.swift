import Foundation

/// Scales a run's measured per-event costs to a target rate: cores, RAM and disk for the retention.
public struct CapacityPlanner: Sendable {
    public var options: PlanOptions

    public init(options: PlanOptions) {
        self.options = options
    }

    public func plan(_ reports: [RunReport]) throws -> CapacityPlan {
        try plan(model: CapacityModel.from(reports, excluding: options.excludedProcesses))
    }

    public func plan(model: CapacityModel) throws -> CapacityPlan {
        let o = options, R = o.targetRate, t = o.targets
        guard R > 0 else { throw ReportingError.invalidPlanInput("target rate must be > 0 events/s, got \(R)") }
        for (name, v) in [("CPU utilisation target", o.cpuUtilisationTarget), ("memory utilisation target", o.memoryUtilisationTarget), ("disk fill target", o.diskFillTarget)] {
            guard v > 0, v <= 1 else { throw ReportingError.invalidPlanInput("\(name) must be in (0, 1], got \(v)") }
        }
        guard !model.components.isEmpty else {
            throw ReportingError.invalidPlanInput("the report has no resource samples for the stack's processes; run with process sampling enabled")
        }
        var how: [String] = []
        how.append("measured: \(Fmt.num(model.measuredEventsPerSecond)) ev/s over \(Fmt.count(model.measuredEvents)) events; target R = \(Fmt.num(R)) ev/s")

        // CPU
        let cpuPer1k = model.components.reduce(0) { $0 + $1.cpuSecondsPer1kEvents }
        let cores = cpuPer1k * (R / 1000) / o.cpuUtilisationTarget
        how.append("CPU-s per 1k events: " + model.components.map { "\($0.name) \(Fmt.num($0.cpuSecondsPer1kEvents))" }.joined(separator: " + ") + " = \(Fmt.num(cpuPer1k))")
        how.append("cores = \(Fmt.num(cpuPer1k)) × \(Fmt.num(R)) / 1000 ÷ \(Fmt.num(o.cpuUtilisationTarget)) = \(Fmt.num(cores))")
        let cpuMax = cpuPer1k > 0 ? t.coresUpper * o.cpuUtilisationTarget * 1000 / cpuPer1k : .infinity
        how.append("max rate on \(Fmt.num(t.coresUpper)) cores = \(Fmt.num(t.coresUpper)) × \(Fmt.num(o.cpuUtilisationTarget)) × 1000 ÷ \(Fmt.num(cpuPer1k)) = \(Fmt.num(cpuMax)) ev/s")

        // RAM
        let rssMB = model.components.reduce(0) { $0 + $1.rss(at: R) }
        let ramGiB = rssMB / o.memoryUtilisationTarget / 1024
        switch model.rssModel {
        case .proportionalAboveMeasured:
            how.append("RSS (one rate measured, scaled by max(1, R ÷ \(Fmt.num(model.measuredEventsPerSecond)))): " + model.components.map { "\($0.name) \(Fmt.num($0.rss(at: R))) MB" }.joined(separator: " + ") + " = \(Fmt.num(rssMB)) MB")
        case .fixedPlusPerRate:
            how.append("RSS (fixed + per-rate fit): " + model.components.map { "\($0.name) \(Fmt.num($0.rssFixedMB)) + \(Fmt.num($0.rssMBPerEventPerSecond)) × R" }.joined(separator: " + ") + " = \(Fmt.num(rssMB)) MB")
        }
        how.append("RAM = \(Fmt.num(rssMB)) MB ÷ \(Fmt.num(o.memoryUtilisationTarget)) ÷ 1024 = \(Fmt.num(ramGiB)) GiB")
        let ramMax = maxRateForRAM(model: model, budgetMB: t.ramUpperGiB * 1024 * o.memoryUtilisationTarget)
        how.append("max rate in \(Fmt.num(t.ramUpperGiB)) GiB: RSS budget \(Fmt.num(t.ramUpperGiB * 1024 * o.memoryUtilisationTarget)) MB → \(Fmt.num(ramMax)) ev/s")

        // Disk
        let bytesPerEvent = model.tables.reduce(0) { $0 + $1.rowsPerEvent * $1.bytesPerRow }
        how.append("ClickHouse bytes per event: " + (model.tables.isEmpty ? "no tables" : model.tables.map { "\($0.table) \(Fmt.num($0.rowsPerEvent)) rows × \(Fmt.num($0.bytesPerRow)) B" }.joined(separator: " + ")) + " = \(Fmt.num(bytesPerEvent)) B")
        let daily = bytesPerEvent * R * 86_400
        let chBytes = o.retentionDays * daily / o.diskFillTarget
        how.append("daily = \(Fmt.num(bytesPerEvent)) B × \(Fmt.num(R)) × 86400 = \(Fmt.bytes(daily)); ClickHouse = \(Fmt.num(o.retentionDays)) d × \(Fmt.bytes(daily)) ÷ \(Fmt.num(o.diskFillTarget)) = \(Fmt.bytes(chBytes))")
        var jsPerRate = 0.0
        for s in model.streams {
            guard let age = o.jetStreamMaxAgeSeconds ?? s.maxAgeSeconds else {
                throw ReportingError.invalidPlanInput("stream \(s.stream) has no max_age in the report; pass the JetStream max age explicitly")
            }
            jsPerRate += s.bytesPerEvent * age
            how.append("JetStream \(s.stream) = \(Fmt.num(s.bytesPerEvent)) B/event × \(Fmt.num(R)) × \(Fmt.num(age)) s max age = \(Fmt.bytes(s.bytesPerEvent * R * age))")
        }
        let jsBytes = jsPerRate * R
        let diskBytes = chBytes + jsBytes
        how.append("disk = \(Fmt.bytes(chBytes)) + \(Fmt.bytes(jsBytes)) = \(Fmt.bytes(diskBytes))")
        let diskPerRate = o.retentionDays * 86_400 * bytesPerEvent / o.diskFillTarget + jsPerRate
        let diskMax = diskPerRate > 0 ? t.diskUpperTB * 1e12 / diskPerRate : .infinity
        how.append("max rate on \(Fmt.num(t.diskUpperTB)) TB = \(Fmt.num(t.diskUpperTB * 1e12)) B ÷ \(Fmt.num(diskPerRate)) B per ev/s = \(Fmt.num(diskMax)) ev/s")

        let assessments = [
            assess(.cpu, cores, "cores", t.coresLower, t.coresUpper, cpuMax),
            assess(.ram, ramGiB, "GiB", t.ramLowerGiB, t.ramUpperGiB, ramMax),
            assess(.disk, diskBytes / 1e12, "TB", t.diskLowerTB, t.diskUpperTB, diskMax),
        ]
        let first = assessments.max { $0.ratioToUpper < $1.ratioToUpper }!
        how.append("need ÷ upper: " + assessments.map { "\($0.resource.rawValue) \(Fmt.num($0.ratioToUpper))" }.joined(separator: ", ") + " → \(first.resource.rawValue) runs out first")
        return CapacityPlan(options: o, model: model, cores: cores, ramGiB: ramGiB, clickhouseDiskTB: chBytes / 1e12, jetStreamDiskTB: jsBytes / 1e12,
                            diskTB: diskBytes / 1e12, assessments: assessments, runsOutFirst: first.resource, howComputed: how)
    }

    private func assess(_ r: ResourceAssessment.Resource, _ need: Double, _ unit: String, _ lower: Double, _ upper: Double, _ maxRate: Double) -> ResourceAssessment {
        let fit: ResourceAssessment.Fit = need <= lower ? .withinLower : (need <= upper ? .withinUpper : .exceeds)
        return ResourceAssessment(resource: r, need: need, unit: unit, lowerTarget: lower, upperTarget: upper, ratioToUpper: need / upper, fit: fit, maxRateAtUpper: maxRate)
    }

    /// Highest rate whose projected RSS stays within the budget. RSS is monotone in the rate,
    /// so bisection works for both RSS models (and any mix of floors).
    func maxRateForRAM(model: CapacityModel, budgetMB: Double) -> Double {
        let rss = { (r: Double) in model.components.reduce(0) { $0 + $1.rss(at: r) } }
        guard rss(0) <= budgetMB else { return 0 }
        var hi = max(model.measuredEventsPerSecond, 1)
        while rss(hi) <= budgetMB {
            hi *= 2
            if hi > 1e15 { return .infinity }
        }
        var lo = 0.0
        for _ in 0..<200 where hi - lo > 1e-9 * hi {
            let mid = (lo + hi) / 2
            if rss(mid) <= budgetMB { lo = mid } else { hi = mid }
        }
        return lo
    }
}
