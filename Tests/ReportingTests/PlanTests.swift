import Foundation
import Testing
@testable import Reporting

@Suite struct PlanTests {
    /// 100 s at 10,000 ev/s = 1,000,000 acked events.
    static func measured(rate: Double = 10_000, rss: (nats: Double, ch: Double, consumer: Double) = (512, 2048, 512), seconds: Double = 100) -> RunReport {
        let events = rate * seconds
        return RunReport(
            scenario: ScenarioRef(name: "plan", file: "plan.yaml", sha256: "00"),
            startedAt: Fixtures.start, endedAt: Fixtures.start.addingTimeInterval(seconds),
            verdict: Verdict(status: .pass),
            events: EventCounts(published: UInt64(events), acked: UInt64(events), offeredPerSecond: rate, achievedPerSecond: rate),
            tables: [TableStats(table: "trades", rows: UInt64(events), rowsPerSecond: rate, bytesOnDisk: UInt64(events * 50), uncompressedBytes: UInt64(events * 200), activeParts: 5),
                     TableStats(table: "l2_agg", rows: UInt64(events / 10), rowsPerSecond: rate / 10, bytesOnDisk: UInt64(events * 20), uncompressedBytes: UInt64(events * 80), activeParts: 3)],
            streams: [StreamStats(stream: "TRADES", bytes: UInt64(events * 200), messages: UInt64(events), maxAgeSeconds: 86_400)],
            resources: [ProcessResources(name: "nats-server", cpuSeconds: events / 10_000, cpuPercentMean: 100, cpuPercentMax: 120, rssMaxMB: rss.nats),
                        ProcessResources(name: "clickhouse-server", cpuSeconds: events / 5_000, cpuPercentMean: 200, cpuPercentMax: 250, rssMaxMB: rss.ch),
                        ProcessResources(name: "risksignal-consumer", cpuSeconds: events / 10_000, cpuPercentMean: 100, cpuPercentMax: 110, rssMaxMB: rss.consumer),
                        ProcessResources(name: "rsbench", cpuSeconds: 300, cpuPercentMean: 300, cpuPercentMax: 300, rssMaxMB: 4096)],
            environment: Fixtures.environment)
    }

    /*
     Hand computation, target R = 50,000 ev/s, retention 30 d, targets 0.7 everywhere:
     Events: 1,000,000 over 100 s (10,000 ev/s).
     CPU-s per 1k events: nats 100 s / 1000 = 0.1; clickhouse 200 / 1000 = 0.2; consumer 0.1; rsbench excluded.
       Σ = 0.4 → cores = 0.4 × 50,000/1000 ÷ 0.7 = 20 ÷ 0.7 = 28.5714…
       max rate on 16 cores = 16 × 0.7 × 1000 ÷ 0.4 = 28,000 ev/s; ratio 28.5714 ÷ 16 = 1.7857.
     RSS (one rate → proportional above measured): Σ 3072 MB × 50,000/10,000 = 15,360 MB
       RAM = 15,360 ÷ 0.7 ÷ 1024 = 21.4286 GiB; ratio ÷ 64 = 0.33482.
       max rate: budget 64 × 1024 × 0.7 = 45,875.2 MB → 45,875.2 ÷ 3072 × 10,000 = 149,333.33 ev/s.
     Disk: trades 1 row/ev × 50 B + l2_agg 0.1 row/ev × 200 B = 70 B/ev.
       daily = 70 × 50,000 × 86,400 = 302.4 GB; ClickHouse = 30 × 302.4 GB ÷ 0.7 = 12,960 GB = 12.96 TB.
       JetStream = 200 B/ev × 50,000 × 86,400 s = 864 GB = 0.864 TB. Disk = 13.824 TB; ratio ÷ 2 = 6.912.
       per ev/s: 30 × 86,400 × 70 ÷ 0.7 + 200 × 86,400 = 259,200,000 + 17,280,000 = 276,480,000 B
       max rate on 2 TB = 2e12 ÷ 276,480,000 = 7,233.796 ev/s.
     Highest ratio: disk (6.912 > 1.786 > 0.335) → disk runs out first.
     With 1 d retention: ClickHouse = 302.4 GB ÷ 0.7 = 432 GB; disk = 1.296 TB → ratio 0.648 → CPU first (1.786).
    */
    @Test func thirtyDayPlanMatchesHandComputation() throws {
        let plan = try CapacityPlanner(options: PlanOptions(targetRate: 50_000, retentionDays: try PlanOptions.parseRetentionDays("30d"))).plan([Self.measured()])
        #expect(plan.model.excluded == ["rsbench"])
        #expect(plan.model.rssModel == .proportionalAboveMeasured)
        #expect(abs(plan.cores - 28.571428571) < 1e-6)
        #expect(abs(plan.ramGiB - 21.428571428) < 1e-6)
        #expect(abs(plan.clickhouseDiskTB - 12.96) < 1e-9)
        #expect(abs(plan.jetStreamDiskTB - 0.864) < 1e-9)
        #expect(abs(plan.diskTB - 13.824) < 1e-9)
        let byResource = Dictionary(uniqueKeysWithValues: plan.assessments.map { ($0.resource, $0) })
        #expect(abs(byResource[.cpu]!.maxRateAtUpper - 28_000) < 1e-6)
        #expect(abs(byResource[.ram]!.maxRateAtUpper - 149_333.333) < 0.01)
        #expect(abs(byResource[.disk]!.maxRateAtUpper - 7_233.796) < 0.001)
        #expect(abs(byResource[.disk]!.ratioToUpper - 6.912) < 1e-9)
        #expect(byResource[.cpu]!.fit == .exceeds)
        #expect(byResource[.ram]!.fit == .withinLower)
        #expect(plan.runsOutFirst == .disk)
        #expect(!plan.fitsSingleNode)
        let md = plan.markdown()
        #expect(md.contains("How computed"))
        #expect(md.contains("cores = 0.4 × 50000 / 1000 ÷ 0.7 = 28.6"))
        let json = String(decoding: try plan.json(), as: UTF8.self)
        #expect(json.contains("\"runsOutFirst\" : \"disk\""))
    }

    @Test func oneDayRetentionMakesCPUTheBottleneck() throws {
        let plan = try CapacityPlanner(options: PlanOptions(targetRate: 50_000, retentionDays: 1)).plan([Self.measured()])
        #expect(abs(plan.diskTB - 1.296) < 1e-9)
        #expect(plan.runsOutFirst == .cpu)
    }

    /*
     Two rates → RSS fixed + per-rate. clickhouse: 2048 MB at 10k, 3048 MB at 20k →
     slope 0.1 MB per ev/s, fixed 1048 MB. nats/consumer constant 512 → slope 0, fixed 512.
     At R = 50,000: 512 + 512 + 1048 + 0.1 × 50,000 = 7,072 MB → ÷ 0.7 ÷ 1024 = 9.8661 GiB.
    */
    @Test func twoRatesFitFixedPlusPerRate() throws {
        let reports = [Self.measured(rate: 10_000), Self.measured(rate: 20_000, rss: (512, 3048, 512))]
        let plan = try CapacityPlanner(options: PlanOptions(targetRate: 50_000, retentionDays: 30)).plan(reports)
        #expect(plan.model.rssModel == .fixedPlusPerRate)
        let ch = try #require(plan.model.components.first { $0.name == "clickhouse-server" })
        #expect(abs(ch.rssMBPerEventPerSecond - 0.1) < 1e-9)
        #expect(abs(ch.rssFixedMB - 1048) < 1e-6)
        #expect(abs(plan.ramGiB - 7072 / 0.7 / 1024) < 1e-9)
        // CPU per event is the same in both runs, so pooling keeps 0.4 CPU-s per 1k events.
        #expect(abs(plan.cores - 28.571428571) < 1e-6)
    }

    @Test func badInputsHaveActionableErrors() throws {
        #expect(throws: ReportingError.self) { try PlanOptions.parseRetentionDays("thirty") }
        #expect(try PlanOptions.parseRetentionDays("2w") == 14)
        var noAge = Self.measured()
        noAge.streams[0].maxAgeSeconds = nil
        #expect(throws: ReportingError.self) { try CapacityPlanner(options: PlanOptions(targetRate: 1000, retentionDays: 30)).plan([noAge]) }
        // an explicit max age fixes it
        _ = try CapacityPlanner(options: PlanOptions(targetRate: 1000, retentionDays: 30, jetStreamMaxAgeSeconds: 3600)).plan([noAge])
    }
}
