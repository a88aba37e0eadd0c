import ArgumentParser
import Foundation
import Reporting

/// `rsbench plan <report>`: the hardware a target rate needs, from what a run measured.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Turn a run report into the cores, RAM and disk a target event rate needs, against the single-node targets.",
        discussion: """
            Uses the run's measured CPU-seconds per 1,000 events of each stack process (rsbench itself excluded), \
            RSS, bytes on disk per row of each table and JetStream bytes per event. Cores = CPU-s per event × rate \
            ÷ the utilisation target; disk = retention × daily volume ÷ the fill target, plus JetStream for its \
            max age. The result is compared with the single-node targets (8–16 cores, 32–64 GB RAM, 1–2 TB NVMe) \
            and names the resource that runs out first. Several reports (comma-separated) at different rates \
            let RSS be fitted as fixed + per-rate.

            Examples:
              rsbench plan reports/latest --target-rate 50000 --retention 30d
              rsbench plan reports/latest --target-rate 20000 --retention 7d --json plan.json
            """
    )

    @Argument(help: "Report folder(s), summary.json or run-set folder(s) (every run of a --repeat set), comma-separated.") var report: String
    @Option(help: "Events per second to plan for.") var targetRate: Double
    @Option(help: "How long ClickHouse keeps the data, like 30d, 2w or 36h.") var retention: String = "30d"
    @Option(help: "JetStream retention for every stream, like 7d (default: each stream's own max age from the report; 7d for reports without it).") var jetstreamRetention: String?
    @Option(help: "Target CPU utilisation (0–1).") var cpuTarget: Double = 0.7
    @Option(help: "Target disk fill (0–1).") var diskFill: Double = 0.7
    @Option(help: "Also write the plan as JSON here.") var json: String?
    @Option(help: "Also write the plan as Markdown here.") var markdown: String?

    func run() throws {
        try requireWritable(json.output("--json"), markdown.output("--markdown"))
        guard targetRate > 0, targetRate.isFinite else { throw ValidationError("--target-rate \(targetRate): expected events per second > 0") }
        let days: Double, jsDays: Double
        do { days = try PlanOptions.parseRetentionDays(retention) } catch { throw ValidationError("--retention: \(error)") }
        do { jsDays = try jetstreamRetention.map { try PlanOptions.parseRetentionDays($0) } ?? -1 } catch { throw ValidationError("--jetstream-retention: \(error)") }
        guard (0.05...1).contains(cpuTarget), (0.05...1).contains(diskFill) else { throw ValidationError("--cpu-target and --disk-fill are fractions between 0.05 and 1") }
        let reports = try ReportPaths.load(report)
        var o = PlanOptions(targetRate: targetRate, retentionDays: days)
        o.cpuUtilisationTarget = cpuTarget
        o.diskFillTarget = diskFill
        let reportsHaveAges = reports.allSatisfy { $0.streams.allSatisfy { $0.maxAgeSeconds != nil } }
        o.jetStreamMaxAgeSeconds = jsDays > 0 ? jsDays * 86_400 : (reportsHaveAges ? nil : 7 * 86_400)
        let plan = try CapacityPlanner(options: o).plan(reports)
        let md = plan.markdown()
        print(md)
        if let markdown { try md.write(toFile: markdown, atomically: true, encoding: .utf8) }
        if let json { try plan.json().write(to: URL(fileURLWithPath: json)) }
    }
}
