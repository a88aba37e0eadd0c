import ClickHouse
import Foundation
import JetStream
import LoadDriver
import Measurement
import Pipeline
import Reporting
import RiskSignalCore

/// After the drain: what each workload sent and got stored, end-to-end lag and storage from ClickHouse itself,
/// the stream reconciliation, and the per-second series, all written into the run's report.
struct RunMeasurement: Sendable {
    var session: RunSession
    var load: LoadPhase
    var plan: ScenarioPlan
    /// Messages each stream held before this run (streams on given servers are kept between runs).
    var streamsBefore: [String: UInt64] = [:]

    func measure(into report: inout RunReport, live: LiveMonitor.Record, metrics: PipelineMetrics?,
                 visible: (samples: VisibilityPoller.Samples, interval: Duration)? = nil) async throws {
        // Read the processes now, before this step's own queries make the ClickHouse endpoint busy.
        let series = afterDrain(live.resources)
        var tables: [String] = []
        var sched = HistogramMerge(), ack = HistogramMerge(), ackU = HistogramMerge()
        for e in load.entries {
            for f in e.feeds where e.isReplay && !tables.contains(f.tableName) { tables.append(f.tableName) }
            sched.add(e.driver.scheduleLag.snapshot); ack.add(e.driver.ackLatency.snapshot); ackU.add(e.driver.ackLatencyUncorrected.snapshot)
            let w = try await workload(e, metrics: metrics)
            if let t = w.table, !tables.contains(t) { tables.append(t) }
            report.workloads.append(w)
        }
        report.latency.scheduleLag = sched.summary
        report.latency.publishAck = ack.summary
        report.latency.publishAckUncorrected = ackU.summary
        let e2e = try await EndToEndLag(ch: session.ch, window: load.window, database: session.database).measure(tables: tables)
        report.tables = e2e.tables
        report.latency.e2eCorrected = e2e.corrected
        report.latency.e2eUncorrected = e2e.uncorrected
        let measuredStages = await self.stages(tables: tables, report: &report, visible: visible)
        report.stages = measuredStages
        let checker = CrossChecker(ch: session.ch, admin: session.admin, metrics: metrics)
        report.streams = await checker.streams()
        report.crossChecks = try await checker.check(workloads: report.workloads, streams: report.streams, replayedKinds: plan.replayedKinds,
                                                    before: streamsBefore)
        report.events = events(report.workloads, seconds: report.durationSeconds)
        (report.resources, report.cost) = cost(series, workloads: report.workloads, cores: report.environment.cpuCores)
        report.timeSeries = timeSeries(live, e2e: e2e, warmup: Int(report.warmupExcludedSeconds.rounded()))
    }

    /// The e2e lag by stage: per-row stages from ClickHouse, `publish` from the load driver's histograms (per table when
    /// one workload feeds it), `visible` from the poller. A schema without the stage columns leaves a note, not an error.
    func stages(tables: [String], report: inout RunReport, visible: (samples: VisibilityPoller.Samples, interval: Duration)?) async -> E2EStages? {
        let staged = tables.filter(SchemaMigrations.stagedTables.contains)
        guard !staged.isEmpty else { return nil }
        var s: E2EStages
        do {
            s = try await EndToEndStages(ch: session.ch, window: load.window).measure(tables: staged)
        } catch {
            report.notes.append("e2e stages not measured (does the schema have migration 5?): \(error)")
            return nil
        }
        for i in s.tables.indices {
            let t = s.tables[i].table
            let feeding = report.workloads.filter { $0.table == t }
            if feeding.count == 1, feeding[0].publishAck.count > 0 { s.tables[i].stages["publish"] = feeding[0].publishAck }
            if let v = visible?.samples.byTable[t].flatMap(VisibilityPoller.summary) { s.tables[i].stages["visible"] = v }
        }
        if let p = report.latency.publishAck, p.count > 0 { s.overall["publish"] = p }
        if let visible {
            let all = staged.flatMap { visible.samples.byTable[$0] ?? [] }
            if let v = VisibilityPoller.summary(all) { s.overall["visible"] = v }
            s.visiblePollMs = Double(visible.interval.components.seconds) * 1000 + Double(visible.interval.components.attoseconds) / 1e15
            if visible.samples.failedPolls > 0 { report.notes.append("visibility poller: \(visible.samples.failedPolls) of \(visible.samples.polls) polls failed") }
        }
        let old = s.tables.reduce(0) { $0 + $1.unstampedRows }
        if old > 0 { report.notes.append("e2e stages: \(old) row(s) without fetched_at/insert_sent_at (written by an older pipeline) are left out") }
        return s
    }

    /// One workload's counts; every acked event of a 1:1 stream must be a row (deduplicated by event_id).
    func workload(_ e: LoadPhase.Entry, metrics: PipelineMetrics?) async throws -> WorkloadStats {
        let c = e.driver.snapshot
        var kind: FeedKind?
        if case .generator(let k, _) = e.workload.source { kind = k }
        var lost = c.failed
        var stored: UInt64?
        if let kind { stored = try await StoredCount.of(kind, ch: session.ch, metrics: metrics) }
        // A duplicate ack means JetStream already held that message id: stored once, so expected once, never "lost".
        let expected = c.acked - min(c.acked, c.duplicates)
        if let n = stored { lost += expected > n ? expected - n : 0 }
        return WorkloadStats(name: e.workload.name, source: kind?.rawValue ?? "replay", table: kind?.tableName, offeredPerSecond: e.offered, published: c.published,
                             measuredPublished: c.measuredPublished, acked: c.acked, failed: c.failed, duplicates: c.duplicates, stored: stored,
                             lost: lost, scheduleLag: LatencySummary(histogram: e.driver.scheduleLag.snapshot),
                             publishAck: LatencySummary(histogram: e.driver.ackLatency.snapshot),
                             publishAckUncorrected: LatencySummary(histogram: e.driver.ackLatencyUncorrected.snapshot),
                             publishedPerSecond: e.driver.publishedPerSecond)
    }

    /// The series with one more reading each, taken after the drain, so the whole run includes the catching up.
    func afterDrain(_ series: [ResourceSeries]) -> [ResourceSeries] {
        let now = (load.clock.now - load.startInstant).seconds
        var series = series
        for i in series.indices { series[i].sampleAfterDrain(now: now) }
        return series
    }

    /// Each process's CPU over the measured window and the whole run, and what that is per published event.
    func cost(_ series: [ResourceSeries], workloads: [WorkloadStats], cores: Int) -> ([ProcessResources], CPUCost) {
        let from = Double(load.window.start - load.startWall) / 1e9, to = Double(load.window.end - load.startWall) / 1e9
        var resources = series.map { $0.resources(window: from, to: to) }
        let covered = series.compactMap { $0.covered(from: from, to: to) }.map { $0.upperBound - $0.lowerBound }.max() ?? 0
        let cost = CPUCost.compute(&resources, events: workloads.reduce(0) { $0 + $1.measuredPublished }, eventsWholeRun: workloads.reduce(0) { $0 + $1.published },
                                   windowSeconds: covered, wholeRunSeconds: series.map(\.wholeRunSeconds).max() ?? 0,
                                   cores: cores > 0 ? cores : ProcessInfo.processInfo.activeProcessorCount)
        return (resources, cost)
    }

    func events(_ workloads: [WorkloadStats], seconds: Double) -> EventCounts {
        EventCounts(published: workloads.reduce(0) { $0 + $1.published }, acked: workloads.reduce(0) { $0 + $1.acked },
                    offeredPerSecond: workloads.reduce(0) { $0 + $1.offeredPerSecond },
                    achievedPerSecond: seconds > 0 ? Double(workloads.reduce(0) { $0 + $1.measuredPublished }) / seconds : 0)
    }

    /// One sample per second from the start instant; e2e lag per second is indexed from the measured window's start,
    /// and resource samples from the second sample (a rate needs two readings).
    func timeSeries(_ live: LiveMonitor.Record, e2e: EndToEndLag.Result, warmup: Int) -> [TimeSample] {
        Self.timeSeries(load, live, seconds: Int((load.end.seconds).rounded(.up))) { i in
            let m = i - warmup
            guard m >= 0, m < e2e.perSecondP99.count, e2e.perSecondP99[m] > 0 else { return nil }
            return (e2e.perSecondP50[m], e2e.perSecondP99[m])
        }.map {
            // The run-so-far ack p99 is the live page's; the report has the whole run's distribution.
            var s = $0
            s.publishAckP99Ms = nil
            return s
        }
    }

    /// The first `seconds` samples of a run, with the e2e p50/p99 (ms) that `e2e` gives for a second's index: the
    /// report's series after the run, and the live page's while it goes on.
    static func timeSeries(_ load: LoadPhase, _ live: LiveMonitor.Record, seconds: Int, e2e: (Int) -> (Double, Double)?) -> [TimeSample] {
        func column(_ c: [[Int]]) -> [Double] {
            var out = [Double](repeating: 0, count: seconds)
            for col in c { for (i, v) in col.enumerated() where i < seconds { out[i] += Double(v) } }
            return out
        }
        let offered = column(load.entries.map(\.driver.offeredPerSecond)), achieved = column(load.entries.map(\.driver.publishedPerSecond))
        return (0..<seconds).map { i in
            var s = TimeSample(t: Double(i + 1), offeredRate: offered[i], achievedRate: achieved[i],
                               rowsPerSecond: i < live.rowsPerSecond.count ? live.rowsPerSecond[i] : nil)
            if let (p50, p99) = e2e(i) {
                s.e2eP50Ms = p50
                s.e2eP99Ms = p99
            }
            if i < live.ackP99.count { s.publishAckP99Ms = live.ackP99[i] }
            for (c, col) in live.pendingByConsumer where i < col.count { s.consumerPending[c] = col[i] }
            for r in live.resources where i >= 1 && i - 1 < r.cpu.count {
                s.processes[r.process] = ProcessSample(cpuPercent: r.cpu[i - 1] * 100, rssMB: r.rssMB[i - 1])
            }
            return s
        }
    }
}
