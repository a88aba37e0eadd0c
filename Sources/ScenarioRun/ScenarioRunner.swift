import Foundation
import JetStream
import LiveView
import LocalStack
import Measurement
import Observability
import Pipeline
import Reporting
import RiskSignalCore
import Scenario

/// Runs a scenario end to end: target, a clean slate, the real pipeline, the paced workloads, drain, measurement and
/// gates, and the clean-up of everything it started. Each step is its own type; this is only their order.
public struct ScenarioRunner: Sendable {
    public static let rsbenchVersion = Release.version
    public var scenario: Scenario
    public var overrides: RunOverrides
    public var projectRoot: String
    /// One line per second, and the summary at the end.
    public var output: @Sendable (String) -> Void
    /// The live page (`run --dashboard`): a frame a second while the load runs, one for the drain.
    public var live: LiveDashboard?

    public init(scenario: Scenario, overrides: RunOverrides, projectRoot: String, live: LiveDashboard? = nil, output: @escaping @Sendable (String) -> Void) {
        var s = scenario
        if let d = overrides.duration { s.duration = d }
        if let r = overrides.rateScale { s.rateScale = r }
        if let seed = overrides.seed { s.seed = seed }
        self.scenario = s
        self.overrides = overrides
        self.projectRoot = projectRoot
        self.live = live
        self.output = output
    }

    public func run() async -> RunReport {
        var report = RunReport.starting(scenario, version: Self.rsbenchVersion)
        var started = StartedResources()
        do {
            try await execute(&report, &started)
        } catch is CancellationError {
            report.verdict.status = .aborted
            report.notes.append("aborted by the user (Ctrl-C); the numbers above are partial")
        } catch {
            report.verdict.status = .error
            // Redacted once more here: the note lands in every report file, whatever error type produced it.
            report.notes.append("error: " + ConnectionConfig.redacted(String(describing: error)))
        }
        // Clean-up must run even after a Ctrl-C cancelled this task.
        let (cleanup, keep, say) = (started, overrides.keepStack, output)
        await Task.detached { await cleanup.stop(keepStack: keep, say: say) }.value
        report.endedAt = Date()
        GateEvaluator.closeVerdict(&report)
        return report
    }

    func execute(_ report: inout RunReport, _ started: inout StartedResources) async throws {
        // The same checks `rsbench validate` makes, before anything starts.
        try ScenarioCheck.require(scenario)
        let target = try RunTarget.resolve(natsURL: overrides.natsURL ?? scenario.target.natsURL, clickHouseURL: overrides.clickHouseURL ?? scenario.target.clickHouseURL,
                                           natsNodes: scenario.target.natsNodes,
                                           environment: ProcessInfo.processInfo.environment, projectRoot: projectRoot, log: { output("[stack] \($0)") })
        started.target = target
        try Task.checkCancellation()
        let session = try await RunSession.open(target, database: overrides.database)
        started.session = session
        let streamsBefore = try await session.resetDatabaseAndStreams(recreateStreams: target.isLocal)
        output("[run] database \(overrides.database) and streams ready")
        // The systems under test, in the fingerprint. A given nats-server's monitoring port is unknown: its version is left out.
        report.environment.clickhouseVersion = try? await session.ch.rows("SELECT version() AS v").first.flatMap { if case .string(let v)? = $0["v"] { v } else { nil } }
        report.environment.natsServerVersion = target.localStack?.natsServerVersion()
        report.environment.libnatsVersion = NATSConnection.libraryVersion

        // Ids unique to this run unless asked otherwise: a re-run within JetStream's duplicate window must publish again.
        let ids = EventIDPolicy.choose(repeatable: overrides.repeatableIDs)
        output("[run] event ids: \(ids)")
        report.notes.append("event ids: \(ids)")
        let plan = try ScenarioPlan.make(scenario, ids: ids, say: output)
        let launcher = PipelineLauncher(scenario: scenario, connection: target.connection, database: overrides.database, projectRoot: projectRoot, say: output)
        let pipeline = try await launcher.launch(consumers: plan.consumers, receiverTask: &started.receiverTask)
        started.pipeline = pipeline.process

        let load = try LoadPhase(plan: plan, scenario: scenario, session: session)
        output("[run] \(scenario.name): warm-up \(scenario.warmup), measured \(scenario.duration), \(load.entries.count) workloads, rate scale \(scenario.rateScale)")
        let gates = GateEvaluator(scenario: scenario)
        let board = overrides.metricsPort.flatMap { serveLiveFigures(on: $0, started: &started) }
        var monitor = LiveMonitor(scenario: scenario, abortOnFail: overrides.abortOnFail, gates: gates, say: output, board: board)
        // The live page's e2e figure costs the endpoint a query every 2 s: only when the page is on.
        let liveLag = live.map { _ in LiveLag(lag: EndToEndLag(ch: session.ch, window: load.window, database: overrides.database), tables: SchemaMigrations.stagedTables) }
        let lagging = liveLag.map { l in Task { await l.run() } }
        defer { lagging?.cancel() }
        monitor.dashboard = live
        monitor.lag = liveLag
        // The `visible` stage: polled through the load and the drain, stopped once the pipeline has drained.
        let poller = VisibilityPoller(ch: session.ch, window: load.window, tables: SchemaMigrations.stagedTables)
        let polling = Task { await poller.run(limit: scenario.warmup + scenario.duration + scenario.drainTimeout + .seconds(30)) }
        defer { polling.cancel() }
        let live = try await monitor.watch(load, publishing: load.start(), pipeline: pipeline.process, stack: target.localStack)
        if let note = live.abortNote { report.notes.append(note) }
        lagging?.cancel()
        if let dashboard = self.live, var frame = live.lastFrame {
            frame.phase = "drain"
            frame.line = "load done; waiting for the pipeline to catch up (at most \(scenario.drainTimeout)), then measuring"
            dashboard.publish(frame)
        }

        let drained = try await Drain(admin: session.admin, timeout: scenario.drainTimeout, say: output).wait(consumers: pipeline.consumers)
        polling.cancel()
        let visible = await polling.value
        let alerts = try await AlertCollector(receiver: pipeline.receiver, ch: session.ch, say: output).collect(expected: scenario.injections.count, window: load.window)
        report.latency.alert = alerts.latency
        report.alertStages = alerts.stages
        report.notes += alerts.notes
        let metrics = pipeline.process.scrape()
        report.pipeline = PipelineCounters(deadLettered: metrics?.deadLettered ?? 0, sequenceGaps: metrics?.sequenceGaps ?? 0, maxConsumerPending: live.maxPending,
                                           drained: drained, alertsReceived: alerts.received, alertRules: alerts.rules)
        try await RunMeasurement(session: session, load: load, plan: plan, streamsBefore: streamsBefore).measure(into: &report, live: live, metrics: metrics,
                                                                                                                  visible: (samples: visible, interval: poller.interval))
        gates.finish(&report)
    }

    /// Starts rsbench's `/metrics` (and `/healthz`) on 127.0.0.1:`port` for the rest of the run; a port already taken
    /// (another run's) costs a warning, never the run.
    func serveLiveFigures(on port: Int, started: inout StartedResources) -> LiveBoard? {
        guard LoopbackProbe.isPortFree(host: "127.0.0.1", port: port) else {
            output("[run] warning: port \(port) is taken, so the live figures are not served (--metrics-port picks another)")
            return nil
        }
        let board = LiveBoard()
        let build = BuildInfo(prefix: "rsbench", version: Self.rsbenchVersion, swiftVersion: EnvironmentCollector.swiftVersion,
                              libnatsVersion: NATSConnection.libraryVersion)
        // The run prints its own line for the endpoint; the server's start-up log would repeat it.
        let app = MetricsEndpoint.application(port: port, serverName: "rsbench", metrics: { board.exposition(build: build) }, quiet: true)
        let say = output
        started.metricsTask = Task {
            do { try await serveUntilCancelled(app, label: "rsbench.metrics") } catch {
                say("[run] warning: live figures not served on 127.0.0.1:\(port): \(error)")
            }
        }
        output("[run] live figures on http://127.0.0.1:\(port)/metrics")
        return board
    }
}
