import Foundation

/// The hardware a target event rate needs, and how it compares with the single-node targets.
public struct CapacityPlan: Sendable, Equatable, Codable {
    public var options: PlanOptions
    public var model: CapacityModel
    /// Cores at the CPU utilisation target.
    public var cores: Double
    /// GiB of RAM at the memory utilisation target.
    public var ramGiB: Double
    /// ClickHouse data for the retention period at the disk fill target, TB.
    public var clickhouseDiskTB: Double
    /// JetStream storage for the streams' max age, TB.
    public var jetStreamDiskTB: Double
    /// clickhouseDiskTB + jetStreamDiskTB.
    public var diskTB: Double
    public var assessments: [ResourceAssessment]
    /// The resource with the highest need ÷ upper target.
    public var runsOutFirst: ResourceAssessment.Resource
    /// The arithmetic with the actual numbers, one step per line.
    public var howComputed: [String]

    /// Whether one node at the upper targets carries the target rate.
    public var fitsSingleNode: Bool { assessments.allSatisfy { $0.fit != .exceeds } }

    public func json() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try e.encode(self)
    }

    public func markdown() -> String {
        var s = ["### rsbench plan — \(Fmt.num(options.targetRate)) events/s, \(Fmt.num(options.retentionDays)) days retention", ""]
        s.append(fitsSingleNode
                 ? "✅ fits one node within the single-node targets; **\(runsOutFirst.rawValue)** runs out first."
                 : "❌ exceeds the single-node targets; **\(runsOutFirst.rawValue)** runs out first.")
        s.append("")
        s.append(Markup.mdTable(["resource", "need", "target range", "need ÷ upper", "fit", "max rate at upper target"], assessments.map { a in
            [a.resource.rawValue, "\(Fmt.num(a.need)) \(a.unit)", "\(Fmt.num(a.lowerTarget))–\(Fmt.num(a.upperTarget)) \(a.unit)", Fmt.num(a.ratioToUpper),
             a.fit.rawValue, a.maxRateAtUpper.isFinite ? "\(Fmt.count(a.maxRateAtUpper.rounded(.down))) ev/s" : "unbounded"]
        }, right: [1, 3, 5]))
        s.append("")
        s.append("Disk: ClickHouse \(Fmt.num(clickhouseDiskTB)) TB + JetStream \(Fmt.num(jetStreamDiskTB)) TB. RSS model: \(model.rssModel.rawValue)." + (model.excluded.isEmpty ? "" : " Excluded: \(model.excluded.joined(separator: ", "))."))
        s.append("")
        s.append("#### How computed")
        s.append("")
        s += howComputed.map { "    " + $0 }
        return s.joined(separator: "\n") + "\n"
    }
}
