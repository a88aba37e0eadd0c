/// The cost-per-event rows formatted once, so the console, report.md and report.html show identical figures; and the
/// stacked bar chart drawn from the same numbers.
public struct CostTable: Sendable {
    public static let header = ["process", "CPU %", "CPU-µs/event", "share of stack", "RSS max MB", "CPU-s window", "CPU-s whole run", "CPU-µs/event whole run"]

    /// One process, or the stack's total (last).
    public struct Row: Sendable, Equatable {
        public var process: String
        public var cpuPercent: String
        public var cpuUsPerEvent: String
        public var shareOfStack: String
        public var rssMaxMB: String
        public var cpuSeconds: String
        public var cpuSecondsWholeRun: String
        public var cpuUsPerEventWholeRun: String

        public var cells: [String] { [process, cpuPercent, cpuUsPerEvent, shareOfStack, rssMaxMB, cpuSeconds, cpuSecondsWholeRun, cpuUsPerEventWholeRun] }
    }

    public var rows: [Row]
    /// How the figures were obtained, in one sentence with the denominators.
    public var definition: String
    public var warning: String?

    /// Nil when the report has no cost (a summary from before 1.2, or a run that stopped before measuring).
    public init?(_ r: RunReport) {
        guard let cost = r.cost, !r.resources.isEmpty else { return nil }
        let us = { (v: Double?) in v.map(Fmt.num) ?? "—" }
        rows = r.resources.map { p in
            Row(process: p.name, cpuPercent: Fmt.num(p.cpuPercentMean), cpuUsPerEvent: us(p.cpuUsPerEvent),
                shareOfStack: cost.shareOfStack(p).map { Fmt.percent($0 * 100) } ?? "—", rssMaxMB: Fmt.num(p.rssMaxMB),
                cpuSeconds: Fmt.num(p.cpuSeconds), cpuSecondsWholeRun: p.cpuSecondsWholeRun.map(Fmt.num) ?? "—", cpuUsPerEventWholeRun: us(p.cpuUsPerEventWholeRun))
        }
        let s = cost.stack
        rows.append(Row(process: CPUCost.stackName, cpuPercent: Fmt.num(s.cpuPercentMean), cpuUsPerEvent: us(s.cpuUsPerEvent),
                        shareOfStack: s.cpuSeconds > 0 ? Fmt.percent(100) : "—", rssMaxMB: Fmt.num(s.rssMaxMB), cpuSeconds: Fmt.num(s.cpuSeconds),
                        cpuSecondsWholeRun: Fmt.num(s.cpuSecondsWholeRun), cpuUsPerEventWholeRun: us(s.cpuUsPerEventWholeRun)))
        definition = "CPU-µs/event = CPU-seconds over the measured window (\(Fmt.num(cost.windowSeconds)) s, warm-up excluded) ÷ the "
            + "\(Fmt.count(Double(cost.events))) events rsbench published in it; whole run (warm-up, window and drain, \(Fmt.num(cost.wholeRunSeconds)) s) ÷ "
            + "\(Fmt.count(Double(cost.eventsWholeRun))) events. CPU % is of one core; the machine has \(cost.cores) cores"
            + (cost.rsbenchShare.map { ", of which rsbench took \(Fmt.percent($0 * 100))." } ?? ".")
        warning = cost.warning
    }

    /// The rows as GitHub Markdown, the stack's total in bold.
    public func markdown() -> String {
        Markup.mdTable(Self.header, rows.map { row in
            row.process == CPUCost.stackName ? row.cells.map { "**\($0)**" } : row.cells
        }, right: Set(1..<Self.header.count))
    }

    /// One bar per figure (window, whole run), one segment per process: where the stack's CPU per event goes.
    public static func chart(_ r: RunReport) -> SVGStackedBarChart {
        let names = r.resources.map(\.name)
        var window: [String: Double] = [:], whole: [String: Double] = [:]
        for p in r.resources {
            window[p.name] = p.cpuUsPerEvent
            whole[p.name] = p.cpuUsPerEventWholeRun
        }
        return SVGStackedBarChart(id: "cpu-per-event", title: "CPU per published event, by process", unit: "CPU-µs per event",
                                  segments: names, bars: [StackedBar(label: "measured window", values: window), StackedBar(label: "whole run", values: whole)])
    }
}
