import Reporting

/// One second of a run as the live page shows it: the progress line, the charts (the same SVG as `report.html`'s)
/// and every gate's state so far; the last frame links the written report.
public struct LiveFrame: Sendable, Codable, Equatable {
    /// A chart by its id (`rates`, `lag`, `pending`, `cpu`, `rss`) and its rendered `<svg>`.
    public struct Chart: Sendable, Codable, Equatable {
        public var id: String
        public var svg: String
        public init(id: String, svg: String) {
            self.id = id
            self.svg = svg
        }
    }

    /// A gate as it stands: `pass`, `fail`, or `pending` (its metric is only measured at the end).
    public struct GateState: Sendable, Codable, Equatable {
        public var expression: String
        public var state: String
        public var measured: String
        public init(expression: String, state: String, measured: String) {
            self.expression = expression
            self.state = state
            self.measured = measured
        }
    }

    public var scenario: String
    public var second: Int
    /// `warm-up`, `measure`, `drain`, or `done`.
    public var phase: String
    /// The console's progress line for this second.
    public var line: String
    public var charts: [Chart]
    public var gates: [GateState]
    /// Set on the last frame: the verdict, where the report was written, and the page's link to it.
    public var verdict: String?
    public var reportPath: String?
    public var reportLink: String?

    public init(scenario: String, second: Int, phase: String, line: String, charts: [Chart] = [], gates: [GateState] = [],
                verdict: String? = nil, reportPath: String? = nil, reportLink: String? = nil) {
        self.scenario = scenario
        self.second = second
        self.phase = phase
        self.line = line
        self.charts = charts
        self.gates = gates
        self.verdict = verdict
        self.reportPath = reportPath
        self.reportLink = reportLink
    }
}


extension LiveFrame.Chart {
    /// A report chart, rendered for the page.
    public init(_ chart: SVGLineChart) { self.init(id: chart.id, svg: chart.render()) }
}

extension LiveFrame.GateState {
    /// A gate row as the page shows it; one whose metric is measured only after the run is `pending` while it runs.
    public init(_ row: GateTable.Row, pending: Bool = false) {
        let state = switch row.verdict {
        case .pass: "pass"
        case .fail: "fail"
        case .missing: "missing"
        }
        self.init(expression: row.expression, state: pending ? "pending" : state, measured: pending ? "—" : row.measured)
    }
}
