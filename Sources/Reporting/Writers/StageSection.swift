/// The "where the end-to-end time goes" section of `report.md` and `report.html`: each stage's p50/p99 per table,
/// and a stacked bar per table of the stages' p50s.
public struct StageSection: Sendable {
    public var stages: E2EStages
    /// The measured window, to turn insert counts into inserts (parts made) per second.
    public var seconds: Double

    public init(_ stages: E2EStages, seconds: Double) {
        self.stages = stages
        self.seconds = seconds
    }

    static let explanation = "publish = JetStream ack − intended send (rsbench's histogram, inside fetch_wait); fetch_wait = fetched_at − intended_at; "
        + "batch_wait = insert_sent_at − fetched_at; insert = ingested_at − insert_sent_at; visible = first SELECT that saw the row − ingested_at"

    /// Table rows: the label (`all` first), then p50 and p99 (ms) of each stage, `—` where not measured.
    public var rows: [[String]] {
        var out: [[String]] = []
        func row(_ label: String, inserts: UInt64, _ get: (String) -> LatencySummary?) -> [String] {
            [label] + StageBreakdown.cells(E2EStages.names, get) + [seconds > 0 && inserts > 0 ? Fmt.num(Double(inserts) / seconds) : "—"]
        }
        if !stages.overall.isEmpty { out.append(row("all tables", inserts: stages.tables.reduce(0) { $0 + $1.inserts }) { stages.overall[$0] }) }
        for t in stages.tables { out.append(row(t.table, inserts: t.inserts) { t.stages[$0] }) }
        return out
    }

    public var header: [String] { ["table"] + E2EStages.names.flatMap { ["\($0) p50", "\($0) p99"] } + ["inserts/s"] }

    /// One bar per table (and one over all tables): the p50 of each stage that adds up to the row's life.
    public var chart: SVGStackedBarChart {
        StageBreakdown.chart(id: "e2e-stages", title: "Where the end-to-end time goes (p50 of each stage)", segments: E2EStages.stacked,
                             overall: stages.overall, overallLabel: "all tables", groups: stages.tables.map { ($0.table, $0.stages) })
    }

    var note: String {
        var s = "p50 and p99 of each stage separately (percentiles do not add up). " + Self.explanation + "."
        if let poll = stages.visiblePollMs { s += " visible is an upper bound: the poller asks every \(Fmt.num(poll)) ms." }
        let old = stages.tables.reduce(0) { $0 + $1.unstampedRows }
        if old > 0 { s += " \(Fmt.count(Double(old))) row(s) without consumer-side instants (older pipeline) are left out." }
        return s
    }

    public func markdown() -> [String] { StageBreakdown.markdown(header: header, rows: rows, note: note) }

    public func html() -> String { StageBreakdown.html(header: header, rows: rows, chart: chart, note: note) }
}
