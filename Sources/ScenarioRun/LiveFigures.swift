import Observability
import Reporting
import Synchronization

/// What rsbench serves at `/metrics` while a run is in progress, refreshed once a second by `LiveMonitor`.
///
/// The live gate metrics keep the names the scenario's gates and summary.json use: `<family>.<suffix>` becomes
/// `rsbench_<family>{<label>="<suffix>"}`, with `_seconds` after a latency family (its values in seconds, as gates
/// read them): `schedule_lag.p99` is `rsbench_schedule_lag_seconds{statistic="p99"}`, `cpu.rsbench` is
/// `rsbench_cpu{process="rsbench"}` (a fraction of one core), `rss_mb.risksignal` is `rsbench_rss_mb{process="risksignal"}`,
/// `consumer_pending.max` is `rsbench_consumer_pending{statistic="max"}`. Counts per workload end in `_total`.
struct LiveFigures: Sendable {
    /// One workload's figures so far.
    struct Workload: Sendable {
        var name: String
        var offeredPerSecond: Double
        /// Published in the last second.
        var achievedPerSecond: Double
        var published: UInt64
        var failed: UInt64
        var duplicates: UInt64
    }

    var scenario: String
    var elapsedSeconds: Double
    var measuring: Bool
    /// The run's report as far as it is known while sending: latencies, resources, the backlog's peak.
    var report: RunReport
    var workloads: [Workload]
    var pendingByConsumer: [String: Double]
    var rowsPerSecond: Double

    /// The latency families served, all live gate metrics.
    static let latencyFamilies = ["schedule_lag", "publish_latency", "publish_latency_uncorrected"]

    func render(into out: inout PrometheusText) {
        func gate(_ metric: String) -> Double? { MetricCatalog.value(metric, in: report) }
        out.family("rsbench_run_elapsed_seconds", .gauge, help: "Seconds since the run's load started (warm-up included).",
                   samples: [([("scenario", scenario)], elapsedSeconds)])
        out.family("rsbench_run_measuring", .gauge, help: "1 in the measured window, 0 in warm-up.", value: measuring ? 1 : 0)
        for family in Self.latencyFamilies {
            out.family("rsbench_\(family)_seconds", .gauge, help: "Gate metric \(family).<statistic> so far, in seconds.",
                       samples: MetricCatalog.statistics.compactMap { s in gate("\(family).\(s)").map { ([("statistic", s)], $0) } })
        }
        out.family("rsbench_consumer_pending", .gauge,
                   help: "Messages each pipeline durable has yet to deliver (consumer label), and gate metric consumer_pending.max so far (statistic=\"max\").",
                   samples: pendingByConsumer.keys.sorted().map { ([("consumer", $0)], pendingByConsumer[$0]!) }
                       + [([("statistic", "max")], report.pipeline.maxConsumerPending)])
        let processes = report.resources.map(\.name)
        out.family("rsbench_cpu", .gauge, help: "Gate metric cpu.<process>: mean CPU so far, as a fraction of one core.",
                   samples: processes.compactMap { p in gate("cpu.\(p)").map { ([("process", p)], $0) } })
        out.family("rsbench_rss_mb", .gauge, help: "Gate metric rss_mb.<process>: highest RSS so far, MiB.",
                   samples: processes.compactMap { p in gate("rss_mb.\(p)").map { ([("process", p)], $0) } })
        out.family("rsbench_offered_rate", .gauge, help: "Gate metric offered_rate.<workload>: events per second the schedule offers.",
                   samples: workloads.map { ([("workload", $0.name)], $0.offeredPerSecond) })
        out.family("rsbench_achieved_rate", .gauge, help: "Gate metric achieved_rate.<workload>, live: events published in the last second.",
                   samples: workloads.map { ([("workload", $0.name)], $0.achievedPerSecond) })
        out.family("rsbench_published_total", .counter, help: "Gate metric published, per workload: events published so far.",
                   samples: workloads.map { ([("workload", $0.name)], Double($0.published)) })
        out.family("rsbench_failed_publishes_total", .counter, help: "Gate metric failed_publishes, per workload.",
                   samples: workloads.map { ([("workload", $0.name)], Double($0.failed)) })
        out.family("rsbench_duplicates_total", .counter, help: "Gate metric duplicates, per workload: publishes JetStream acked as duplicates.",
                   samples: workloads.map { ([("workload", $0.name)], Double($0.duplicates)) })
        out.family("rsbench_insert_rows_per_s", .gauge, help: "Gate metric insert_rows_per_s, live: rows the pipeline inserted in the last second.",
                   value: rowsPerSecond)
    }
}

/// The latest `LiveFigures`, shared between the monitor that writes them and the endpoint that serves them.
final class LiveBoard: Sendable {
    private let figures = Mutex<LiveFigures?>(nil)

    init() {}

    func publish(_ f: LiveFigures) { figures.withLock { $0 = f } }

    /// The Prometheus text of the latest figures (none before the load starts), then `process_*` and the build info.
    func exposition(build: BuildInfo) -> [UInt8] {
        let f = figures.withLock { $0 }
        return MetricsEndpoint.exposition(registry: nil, build: build) { out in f?.render(into: &out) }
    }
}
