import Foundation
@testable import Reporting

/// Deterministic generator so "noise" tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum Fixtures {
    static let start = Date(timeIntervalSince1970: 1_735_732_800) // 2025-01-01T12:00:00Z

    static let environment = EnvironmentFingerprint(
        rsbenchVersion: "0.1.0", swiftVersion: "6.3", os: "Linux", kernel: "6.8.0", machine: "x86_64",
        cpuModel: "Test CPU", cpuCores: 2, memoryTotalMB: 8192, hostname: "ci-host",
        natsServerVersion: "2.10.22", clickhouseVersion: nil, scenarioSHA256: String(repeating: "ab", count: 32))

    static func latency(_ scale: Double, spectrum: Bool = true) -> LatencySummary {
        LatencySummary(count: 10_000, p50: 5 * scale, p90: 9 * scale, p99: 20 * scale, p999: 45 * scale, max: 80 * scale, mean: 6 * scale,
                       spectrum: spectrum ? [0, 50, 90, 99, 99.9, 99.99, 100].enumerated().map { PercentilePoint(percentile: $0.element, valueMs: Double($0.offset + 1) * scale) } : nil)
    }

    /// 10 seconds of samples, two durables, two processes.
    static func series(count: Int = 10) -> [TimeSample] {
        (0..<count).map { i in
            let x = Double(i)
            let processes: [String: ProcessSample] = [
                "nats-server": ProcessSample(cpuPercent: 30 + x, rssMB: 100),
                "clickhouse-server": ProcessSample(cpuPercent: 80, rssMB: 900 + x),
            ]
            let pending: [String: Double] = ["trades-writer": x * 3, "alerts": x]
            return TimeSample(t: x, offeredRate: 1000, achievedRate: 990 + x, e2eP50Ms: 5 + x * 0.1, e2eP99Ms: 20 + x,
                              consumerPending: pending, processes: processes)
        }
    }

    static func report(
        name: String = "baseline-smoke",
        p99Scale: Double = 1,
        rowsPerSecond: Double = 1000,
        cpu: Double = 50,
        gates: [GateResult] = defaultGates,
        timeSeries: [TimeSample] = series(),
        status: Verdict.Status = .failed
    ) -> RunReport {
        RunReport(
            scenario: ScenarioRef(name: name, file: "scenarios/\(name).yaml", sha256: String(repeating: "ab", count: 32)),
            startedAt: start, endedAt: start.addingTimeInterval(60), warmupExcludedSeconds: 10,
            verdict: Verdict(status: status, reasons: status == .failed ? ["gate e2e_lag.p99 < 500ms failed: measured 612 ms"] : []),
            events: EventCounts(published: 60_000, acked: 60_000, offeredPerSecond: 1000, achievedPerSecond: 1000),
            latency: LatencySet(scheduleLag: latency(0.01 * p99Scale), publishAck: latency(0.5 * p99Scale), e2eCorrected: latency(p99Scale), e2eUncorrected: latency(0.6 * p99Scale), alert: nil),
            timeSeries: timeSeries,
            tables: [TableStats(table: "trades", rows: 60_000, rowsPerSecond: rowsPerSecond, bytesOnDisk: 3_000_000, uncompressedBytes: 12_000_000, activeParts: 7)],
            streams: [StreamStats(stream: "TRADES", bytes: 12_000_000, messages: 60_000, maxAgeSeconds: 86_400)],
            crossChecks: [CrossCheck.comparing(name: "acked_vs_rows.trades", expected: 60_000, actual: 59_990, what: "rows stored in trades vs acked")],
            gates: gates,
            resources: [ProcessResources(name: "nats-server", pid: 101, cpuSeconds: 12, cpuPercentMean: cpu, cpuPercentMax: cpu * 1.5, rssMaxMB: 120),
                        ProcessResources(name: "rsbench", pid: 103, cpuSeconds: 30, cpuPercentMean: 50, cpuPercentMax: 70, rssMaxMB: 80)],
            environment: environment)
    }

    static let defaultGates = [
        GateResult(expression: "e2e_lag.p99 < 500ms", metric: "e2e_lag.p99", measured: 612, unit: "ms", comparison: "<", threshold: 500, verdict: .fail),
        GateResult(expression: "insert_rows_per_s >= 20000", metric: "insert_rows_per_s", measured: 25_000, unit: "rows/s", comparison: ">=", threshold: 20_000, verdict: .pass),
        GateResult(expression: "alert_latency.p99 < 1s & \"quoted\"", metric: "alert_latency.p99", measured: nil, unit: "ms", comparison: "<", threshold: 1000, verdict: .missing),
    ]
}
