import Foundation
import LoadDriver
import Reporting
import RiskSignalCore
import Scenario

/// Turns a run's outcome into the versioned report model (`summary.json` and friends); all numbers are the run's own.
public enum ReportBuilder {
    public static let rsbenchVersion = "0.3.0"

    public static func report(_ o: RunOutcome, scenario: Scenario, endedAt: Date = Date(),
                              natsServerVersion: String? = nil, clickHouseVersion: String? = nil) -> RunReport {
        let sha = SHA256.hex(scenario.sourceText)
        let started = Timestamp(iso8601: o.startedAt).map { Date(timeIntervalSince1970: Double($0.nanosSinceEpoch) / 1e9) } ?? endedAt
        let status: Verdict.Status = switch o.status {
        case .passed: .pass
        case .failedGates: .failed
        case .invalid: .invalid
        case .aborted, .error: .error
        }
        var reasons = o.invalidReasons
        reasons += o.gates.filter { !$0.passed }.map { "gate \($0.expression) " + ($0.measured == nil ? "not measured" : "failed") }
        reasons += o.notes.filter { $0.hasPrefix("error") || $0.hasPrefix("aborted") }
        let published = o.workloads.reduce(0) { $0 + $1.published }, acked = o.workloads.reduce(0) { $0 + $1.acked }
        let offered = o.workloads.reduce(0) { $0 + $1.offeredRate }
        let achieved = o.measuredSeconds > 0 ? Double(o.workloads.reduce(0) { $0 + $1.measuredPublished }) / o.measuredSeconds : 0
        var latency = LatencySet()
        latency.scheduleLag = o.scheduleLag.map { ms($0) }
        latency.publishAck = o.publishLatency.map { ms($0) }
        latency.e2eCorrected = o.e2eLag.map { ms($0, spectrum: o.e2eSpectrum.corrected) }
        latency.e2eUncorrected = o.e2eLagUncorrected.map { ms($0, spectrum: o.e2eSpectrum.uncorrected) }
        if let a = o.alertLatency, a.count > 0 { latency.alert = ms(a) }

        var samples: [TimeSample] = []
        let n = max(o.series.offered.count, o.series.achieved.count)
        let warm = Int(o.warmupSeconds.rounded())
        for i in 0..<n {
            var s = TimeSample(t: Double(i + 1), offeredRate: value(o.series.offered, i), achievedRate: value(o.series.achieved, i))
            // e2e per second is indexed from the measured window's start.
            let m = i - warm
            if m >= 0, m < o.series.e2eP99.count, o.series.e2eP99[m] > 0 {
                s.e2eP50Ms = o.series.e2eP50[m] * 1000
                s.e2eP99Ms = o.series.e2eP99[m] * 1000
            }
            for (c, col) in o.series.pendingByConsumer where i < col.count { s.consumerPending[c] = col[i] }
            for r in o.resources {
                // Resource samples start at the second sample (a rate needs two readings).
                let j = i - 1
                if j >= 0, j < r.cpu.count { s.processes[r.process] = Reporting.ProcessSample(cpuPercent: r.cpu[j] * 100, rssMB: r.rssMB[j]) }
            }
            samples.append(s)
        }
        let tables = o.tables.map {
            TableStats(table: $0.table, rows: $0.rows, rowsPerSecond: $0.rowsPerSecond, bytesOnDisk: $0.bytesOnDisk,
                       uncompressedBytes: $0.bytesUncompressed, activeParts: $0.activeParts)
        }
        let streams = o.streams.map { StreamStats(stream: $0.stream, bytes: $0.bytes, messages: $0.messages, maxAgeSeconds: $0.maxAgeSeconds) }
        var checks = o.crossChecks.map {
            CrossCheck(name: $0.name, expected: Double($0.expected), actual: Double($0.actual),
                       status: $0.verdict == .ok ? .ok : $0.verdict == .loss ? .loss : .excess, text: $0.detail)
        }
        if o.lost > 0 && !checks.contains(where: { $0.status == .loss }) {
            checks.append(CrossCheck(name: "acked → stored", expected: Double(acked), actual: Double(acked - min(acked, o.lost)), status: .loss,
                                     text: "\(o.lost) acknowledged events are missing downstream"))
        }
        let gates = zip(scenario.gates, o.gates).map { g, r -> GateResult in
            let scale = g.kind == .duration ? 1000.0 : 1
            return GateResult(expression: g.expression, metric: g.metric, measured: r.measured.map { $0 * scale },
                              unit: g.kind == .duration ? "ms" : g.kind == .ratio ? "" : g.kind == .bytes ? "B" : "",
                              comparison: g.comparison.rawValue, threshold: g.threshold * scale,
                              verdict: r.measured == nil ? .missing : r.passed ? .pass : .fail)
        }
        let resources = o.resources.map {
            ProcessResources(name: $0.process, pid: $0.pid, cpuSeconds: $0.cpu.reduce(0, +), cpuPercentMean: $0.meanCPU * 100,
                             cpuPercentMax: ($0.cpu.max() ?? 0) * 100, rssMaxMB: $0.maxRSSMB)
        }
        let env = EnvironmentCollector().collect(rsbenchVersion: rsbenchVersion, scenarioSHA256: sha,
                                                 natsServerVersion: natsServerVersion, clickhouseVersion: clickHouseVersion)
        return RunReport(scenario: ScenarioRef(name: o.scenario, file: o.file, sha256: sha), startedAt: started, endedAt: endedAt,
                         durationSeconds: o.measuredSeconds, warmupExcludedSeconds: o.warmupSeconds,
                         verdict: Verdict(status: status, reasons: reasons),
                         events: EventCounts(published: published, acked: acked, offeredPerSecond: offered, achievedPerSecond: achieved),
                         latency: latency, timeSeries: samples, tables: tables, streams: streams, crossChecks: checks, gates: gates,
                         resources: resources, environment: env)
    }

    static func value(_ a: [Double], _ i: Int) -> Double { i < a.count ? a[i] : 0 }

    static func ms(_ s: LoadDriver.LatencySummary, spectrum: [[Double]] = []) -> Reporting.LatencySummary {
        Reporting.LatencySummary(count: s.count, p50: s.p50 * 1000, p90: s.p90 * 1000, p99: s.p99 * 1000, p999: s.p999 * 1000,
                                 max: s.max * 1000, mean: s.mean * 1000,
                                 spectrum: spectrum.isEmpty ? nil : spectrum.map { PercentilePoint(percentile: $0[0], valueMs: $0[1] * 1000) })
    }
}
