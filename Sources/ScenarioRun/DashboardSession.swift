import Foundation
import LiveView
import Reporting
import Synchronization

/// `rsbench run --dashboard`: the live page's server for one run, from before the load until the report is written
/// (and `linger` after, so the page can open the report).
public struct DashboardSession: Sendable {
    public let dashboard: LiveDashboard
    public let url: String
    let server: Task<Void, Error>

    /// Starts the server on 127.0.0.1:`port` (0: any free port) and waits until it listens.
    public static func start(port: Int) async throws(RunError) -> DashboardSession {
        let dashboard = LiveDashboard()
        let bound = Mutex<Int?>(nil)
        let server = Task { try await dashboard.run(port: port, onListening: { p in bound.withLock { $0 = p } }) }
        for _ in 0..<100 where bound.withLock({ $0 }) == nil {
            if Task.isCancelled { break }
            try? await Task.sleep(for: .milliseconds(50))
        }
        guard let p = bound.withLock({ $0 }) else {
            server.cancel()
            let why = await server.result
            throw RunError.setup("the live page could not listen on 127.0.0.1:\(port)\(Self.reason(why)); pick another --dashboard-port, or 0 for any free port")
        }
        return DashboardSession(dashboard: dashboard, url: "http://127.0.0.1:\(p)/", server: server)
    }

    private static func reason(_ r: Result<Void, Error>) -> String {
        if case .failure(let e) = r { return " (\(e))" }
        return ""
    }

    /// The last frame: the run's own charts and gates, its verdict, and a link to the report (served at `/report`);
    /// then the page stays up `linger` before the server stops.
    public func finish(_ report: RunReport, reportDirectory: String?, linger: Duration) async {
        let writer = HTMLReportWriter()
        let charts = writer.charts(for: report).map(LiveFrame.Chart.init)
        let gates = GateTable(report.gates).rows.map { LiveFrame.GateState($0) }
        let html = reportDirectory.map { _ in writer.html(report) }
        let frame = LiveFrame(scenario: report.scenario.name, second: Int(report.durationSeconds), phase: "done",
                              line: report.verdict.reasons.isEmpty ? "run ended: \(report.verdict.status.rawValue)" : "run ended: " + report.verdict.reasons.joined(separator: "; "),
                              charts: charts, gates: gates, verdict: report.verdict.status.rawValue,
                              reportPath: reportDirectory.map { $0 + "/report.html" }, reportLink: html == nil ? nil : "report")
        dashboard.finish(frame, reportHTML: html.map { Array($0.utf8) })
        if linger > .zero { try? await Task.sleep(for: linger) }
        server.cancel()
        _ = await server.result
    }
}
