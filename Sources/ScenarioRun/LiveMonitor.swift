import Foundation
import LiveView
import LoadDriver
import LocalStack
import Measurement
import Reporting
import Scenario
import Synchronization

/// The once-a-second loop while the workloads publish: progress lines, backlog, rows, CPU and RSS, and, with
/// `--abort-on-fail`, the live gates.
struct LiveMonitor: Sendable {
    /// The resource series name of a stack service: each node of a NATS cluster is a nats-server of its own.
    static func processName(_ service: String) -> String {
        service == "clickhouse" ? "clickhouse" : service == "nats" ? "nats-server" : "nats-server \(service)"
    }

    /// What the loop saw, second by second.
    struct Record: Sendable {
        var resources: [ResourceSeries]
        var pendingByConsumer: [String: [Double]] = [:]
        var rowsPerSecond: [Double] = []
        var maxPending = 0.0
        /// Set when a live gate stopped the run early.
        var abortNote: String?
        /// For the live page only: publish-ack p99 of the run so far, and the recent e2e lag, at each second.
        var ackP99: [Double] = []
        var e2eBySecond: [Int: LatencySummary] = [:]
        /// The last frame the live page got.
        var lastFrame: LiveFrame?
    }

    var scenario: Scenario
    var abortOnFail: Bool
    var gates: GateEvaluator
    var say: @Sendable (String) -> Void
    /// The live page (`run --dashboard`) and its e2e figure, when it is on.
    var dashboard: LiveDashboard? = nil
    var lag: LiveLag? = nil
    /// Where the live figures go each second, for rsbench's `/metrics` (nil: nobody serves them).
    var board: LiveBoard?

    /// Watches `publishing` until the schedule ends (or a live gate is breached), then waits for the acks.
    func watch(_ load: LoadPhase, publishing: Task<Void, Error>, pipeline: PipelineProcess, stack: LocalStack?) async throws -> Record {
        var record = Record(resources: [ResourceSeries(process: "rsbench", pid: getpid()), ResourceSeries(process: "risksignal", pid: pipeline.pid)]
                            + (stack?.processes ?? []).map { ResourceSeries(process: Self.processName($0.service), pid: $0.pid) })
        var lastPublished = load.entries.map { _ in UInt64(0) }
        var lastRows = 0.0
        var second = 0
        let total = (scenario.warmup + scenario.duration).seconds
        while !publishing.isCancelled {
            try await Task.sleep(until: load.startInstant + .seconds(second + 1), clock: load.clock)
            second += 1
            let t = (load.clock.now - load.startInstant).seconds
            for i in record.resources.indices { record.resources[i].sample(now: t) }
            let m = pipeline.scrape()
            let pending = m.map { $0.pendingByConsumer.values.reduce(0, +) } ?? 0
            for (c, v) in m?.pendingByConsumer ?? [:] {
                var col = record.pendingByConsumer[c] ?? []
                while col.count < second - 1 { col.append(0) }
                col.append(v)
                record.pendingByConsumer[c] = col
            }
            record.maxPending = max(record.maxPending, pending)
            let rows = m?.totalRows ?? lastRows
            record.rowsPerSecond.append(max(0, rows - lastRows))
            let live = board != nil || abortOnFail || dashboard != nil ? liveReport(load, record) : nil
            if let board, let live {
                board.publish(figures(load, live, second: second, lastPublished: lastPublished, pending: m?.pendingByConsumer ?? [:], rows: rows - lastRows))
            }
            if abortOnFail, second > Int(scenario.warmup.seconds), let live, let note = breach(live, second: second) {
                record.abortNote = note
                publishing.cancel()
                break
            }
            let ackP99 = Self.ackP99(load)
            let line = progressLine(load, second: second, lastPublished: &lastPublished, pending: pending, rows: rows - lastRows, ackP99: ackP99)
            say(line)
            if let dashboard, let live {
                record.ackP99.append(ackP99)
                if let e2e = lag?.current { record.e2eBySecond[second - 1] = e2e }
                let frame = self.frame(load, record, live, second: second, line: line)
                record.lastFrame = frame
                dashboard.publish(frame)
            }
            lastRows = rows
            if Double(second) >= total + 1 { break }
        }
        do { try await publishing.value } catch is CancellationError where abortOnFail {}
        for e in load.entries { try await e.driver.waitForAcks(timeout: .seconds(30)) }
        return record
    }

    /// `[  5s measure] offered→achieved/s: trades 1000→1000, … | ack p99 2.1 ms | pending 12 | rows/s 3400`
    func progressLine(_ load: LoadPhase, second: Int, lastPublished: inout [UInt64], pending: Double, rows: Double, ackP99: Double) -> String {
        var parts: [String] = []
        for (i, e) in load.entries.enumerated() {
            let c = e.driver.snapshot
            parts.append("\(e.workload.name) \(Int(e.offered))→\(c.published - lastPublished[i])")
            lastPublished[i] = c.published
        }
        return String(format: "[%3ds %@] offered→achieved/s: %@ | ack p99 %.1f ms | pending %.0f | rows/s %.0f",
                      second, phase(second), parts.joined(separator: ", "), ackP99, pending, rows)
    }

    func phase(_ second: Int) -> String { second <= Int(scenario.warmup.seconds) ? "warm-up" : "measure" }

    static func ackP99(_ load: LoadPhase) -> Double {
        load.entries.map { LatencySummary(histogram: $0.driver.ackLatency.snapshot).p99 }.max() ?? 0
    }

    /// The run as far as it is known while sending: latencies so far, the backlog's peak, resources.
    func liveReport(_ load: LoadPhase, _ record: Record) -> RunReport {
        var sched = HistogramMerge(), ack = HistogramMerge(), uncorrected = HistogramMerge()
        for e in load.entries {
            sched.add(e.driver.scheduleLag.snapshot)
            ack.add(e.driver.ackLatency.snapshot)
            uncorrected.add(e.driver.ackLatencyUncorrected.snapshot)
        }
        var live = RunReport(scenario: ScenarioRef(name: scenario.name, file: scenario.file, sha256: ""), startedAt: Date(), endedAt: Date(),
                             durationSeconds: 1, verdict: Verdict(status: .pass), environment: EnvironmentFingerprint.unknown)
        live.latency.scheduleLag = sched.summary
        live.latency.publishAck = ack.summary
        live.latency.publishAckUncorrected = uncorrected.summary
        live.pipeline.maxConsumerPending = record.maxPending
        live.resources = record.resources.map(\.resources)
        return live
    }

    /// The live page's frame for this second: the report's per-second charts over the seconds so far, and each gate
    /// as it stands (a gate on a metric measured only at the end is `pending`).
    func frame(_ load: LoadPhase, _ record: Record, _ report: RunReport, second: Int, line: String) -> LiveFrame {
        let samples = RunMeasurement.timeSeries(load, record, seconds: second) { i in record.e2eBySecond[i].map { ($0.p50, $0.p99) } }
        let rows = GateTable(scenario.gates.map { gates.evaluate($0, in: report) }).rows
        let states = zip(scenario.gates, rows).map { g, row in LiveFrame.GateState(row, pending: !MetricCatalog.isLive(g.metric)) }
        return LiveFrame(scenario: scenario.name, second: second, phase: phase(second), line: line,
                         charts: HTMLReportWriter.timeCharts(samples).map(LiveFrame.Chart.init), gates: states)
    }

    /// This second's figures for `/metrics`; `lastPublished` is each workload's count a second ago.
    func figures(_ load: LoadPhase, _ live: RunReport, second: Int, lastPublished: [UInt64], pending: [String: Double], rows: Double) -> LiveFigures {
        let workloads = load.entries.enumerated().map { i, e in
            let c = e.driver.snapshot
            return LiveFigures.Workload(name: e.workload.name, offeredPerSecond: e.offered, achievedPerSecond: Double(c.published - lastPublished[i]),
                                        published: c.published, failed: c.failed, duplicates: c.duplicates)
        }
        return LiveFigures(scenario: scenario.name, elapsedSeconds: (load.clock.now - load.startInstant).seconds,
                           measuring: second > Int(scenario.warmup.seconds), report: live, workloads: workloads, pendingByConsumer: pending, rowsPerSecond: rows)
    }

    /// The first live gate the measurements so far already breach, as the note the run keeps.
    func breach(_ live: RunReport, second: Int) -> String? {
        guard let (gate, value) = gates.firstBreachedLiveGate(in: live) else { return nil }
        say("[run] --abort-on-fail: gate \(gate.expression) is breached at \(second) s (measured \(value)); stopping early")
        return "aborted early at \(second) s: gate \(gate.expression) breached while running (--abort-on-fail)"
    }
}
