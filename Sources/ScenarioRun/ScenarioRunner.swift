import ClickHouse
import Foundation
import JetStream
import LoadDriver
import LoadSource
import LocalStack
import Pipeline
import RiskSignalCore
import Scenario
import Synchronization
import Histogram
import StandIns

/// Command-line overrides of a scenario (`rsbench run --duration … --rate-scale …`).
public struct RunOverrides: Sendable {
    public var duration: Duration?
    public var rateScale: Double?
    public var seed: UInt64?
    public var natsURL: String?
    public var clickHouseURL: String?
    /// Leave the local stack running afterwards even when this run started it.
    public var keepStack = false
    public var database = "rsbench"
    /// Stop the run at the first gate that is already breached by a live measurement (schedule lag, ack latency,
    /// consumer backlog, CPU, RSS); the gates that need the drain are still evaluated on what was measured.
    public var abortOnFail = false

    public init() {}
}

/// Runs a scenario end to end: stack, migrations, the real pipeline, warm-up, the measured window,
/// drain, measurement, and clean-up of everything it started.
public struct ScenarioRunner: Sendable {
    public var scenario: Scenario
    public var overrides: RunOverrides
    public var projectRoot: String
    /// One line per second, and the summary at the end.
    public var output: @Sendable (String) -> Void

    public init(scenario: Scenario, overrides: RunOverrides, projectRoot: String, output: @escaping @Sendable (String) -> Void) {
        var s = scenario
        if let d = overrides.duration { s.duration = d }
        if let r = overrides.rateScale { s.rateScale = r }
        if let seed = overrides.seed { s.seed = seed }
        self.scenario = s
        self.overrides = overrides
        self.projectRoot = projectRoot
        self.output = output
    }

    /// Consumers that each generator feeds, and the table its rows land in.
    static let consumerFor = ["l2": "market", "trades": "trades", "social": "social", "frontend": "frontend", "orders": "actions", "signals": "signals"]
    static let tableFor = ["l2": "book_topn", "trades": "trades", "social": "social_buzz", "frontend": "frontend_actions", "orders": "user_orders", "signals": "raw_signals"]

    public func run() async -> RunOutcome {
        let start = Timestamp.now()
        var outcome = RunOutcome(scenario: scenario.name, file: scenario.file, status: .error, startedAt: start.iso8601,
                                 measuredSeconds: scenario.duration.seconds)
        var started = Started()
        do {
            try await execute(&outcome, &started)
        } catch is CancellationError {
            outcome.status = .aborted
            outcome.notes.append("aborted by the user (Ctrl-C); the numbers above are partial")
        } catch {
            outcome.status = .error
            outcome.notes.append("error: \(error)")
        }
        // Clean-up must run even after a Ctrl-C cancelled this task.
        let cleanup = started
        let keep = overrides.keepStack
        let say = output
        await Task.detached {
            cleanup.receiver?.cancel()
            if let p = cleanup.pipeline {
                let status = p.stop()
                say("[run] stopped the pipeline (pid \(p.pid), exit \(status))")
            }
            if let stack = cleanup.stackStartedByUs, !keep {
                stack.down()
                say("[run] stopped the local stack it started")
            }
        }.value
        return outcome
    }

    struct Started: @unchecked Sendable {
        var pipeline: PipelineProcess?
        var receiver: Task<Void, Error>?
        var stackStartedByUs: LocalStack?
    }

    func execute(_ outcome: inout RunOutcome, _ started: inout Started) async throws {
        // 1. Stack.
        var connection = try ConnectionConfig.fromEnvironment(ProcessInfo.processInfo.environment)
        connection.clickHouseDatabase = overrides.database
        let natsURL = overrides.natsURL ?? scenario.target.natsURL
        let chURL = overrides.clickHouseURL ?? scenario.target.clickHouseURL
        let local = natsURL == nil && chURL == nil
        if local {
            let stack = LocalStack(config: try StackConfig.fromEnvironment(ProcessInfo.processInfo.environment, projectRoot: projectRoot))
            let wasUp = stack.natsHealthy() && stack.clickHouseHealthy()
            try stack.up(log: { output("[stack] \($0)") })
            if !wasUp { started.stackStartedByUs = stack }
            connection.natsURLs = [stack.config.natsURL]
            connection.clickHouseURL = stack.config.clickHouseURL
        } else {
            if let natsURL { connection.natsURLs = try ConnectionConfig.parseNATSURLs(natsURL, source: "target.nats_url") }
            if let chURL { connection.clickHouseURL = try ConnectionConfig.parseHTTPURL(chURL, source: "target.clickhouse_url") }
        }
        try Task.checkCancellation()

        // 2. A clean slate: the run's database and streams (their durables go with them).
        let ch = ClickHouseClient(ClickHouseClientConfig(connection))
        defer { Task { await ch.shutdown() } }
        let nats = try await NATSConnection.connect(NATSConnectionOptions(connection, name: "rsbench"))
        defer { nats.close() }
        let admin = try nats.jetStream()
        try await ch.execute("DROP DATABASE IF EXISTS \(overrides.database)", useDatabase: false)
        try await Migrator(client: ch, database: overrides.database).migrate()
        for s in StreamCatalog.all {
            if local { try? await admin.deleteStream(s.name) }
            try await admin.ensureStream(s)
        }
        output("[run] database \(overrides.database) and streams ready")

        // 3. The real pipeline, as its own process.
        // Plans first: a replay loads (and checks) its capture before anything is started for it.
        let warmup = scenario.warmup, duration = scenario.duration
        var plans: [WorkloadPlan] = []
        for w in scenario.workloads {
            let plan = try WorkloadFactory.plan(for: w, scenario: scenario, end: warmup + duration)
            if let r = plan.replayReport { output("[replay] \(w.name): \(r.replacingOccurrences(of: "\n", with: "\n[replay]   "))") }
            plans.append(plan)
        }
        let kinds = Array(Set(plans.flatMap { $0.feeds.map(\.rawValue) }))
        var consumers = scenario.pipeline.consumers ?? Array(Set(kinds.compactMap { Self.consumerFor[$0] })).sorted()
        // Alerts go to rsbench's own webhook receiver, which measures alert latency.
        let receiver = WebhookReceiver(secret: "rsbench-\(UInt32.random(in: 0...UInt32.max))")
        let receiverPort = Locked<Int?>(nil)
        let receiverTask = Task { try await receiver.run(onListening: { p in receiverPort.withLock { $0 = p } }) }
        started.receiver = receiverTask
        let waitUntil = ContinuousClock.now + .seconds(10)
        while receiverPort.withLock({ $0 }) == nil && ContinuousClock.now < waitUntil { try await Task.sleep(for: .milliseconds(20)) }
        guard let hookPort = receiverPort.withLock({ $0 }) else { throw RunError.setup("the webhook receiver did not start") }
        // Alert detection and delivery run when the scenario is about alerts (injections, or alert gates).
        let wantsAlerts = !scenario.injections.isEmpty || scenario.gates.contains { $0.metric.hasPrefix("alert") }
        if scenario.pipeline.consumers == nil && wantsAlerts { consumers += ["alerts", "webhooks"] }
        guard let binary = PipelineProcess.locateBinary() else {
            throw RunError.setup("cannot find the risksignal executable next to rsbench; build both with `swift build -c release`")
        }
        var env: [String: String] = ["RS_PII_SALT": "rsbench", "RS_WEBHOOK_URLS": "http://127.0.0.1:\(hookPort)/alerts",
                                      "RS_WEBHOOK_SECRET": receiver.secret]
        for (c, b) in scenario.pipeline.batchSize { env["RS_\(c.uppercased())_BATCH_SIZE"] = String(b) }
        for (c, w) in scenario.pipeline.maxWait { env["RS_\(c.uppercased())_MAX_WAIT"] = String(w.seconds) }
        // Short batches for social so its rows arrive within the run (the production default waits a minute).
        if env["RS_SOCIAL_MAX_WAIT"] == nil { env["RS_SOCIAL_MAX_WAIT"] = "1" }
        let logDir = (projectRoot as NSString).appendingPathComponent(".rsbench/logs")
        try? FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: true)
        let metricsPort = LoopbackProbe.freePort()
        let pipeline = try PipelineProcess(
            binary: binary,
            arguments: ["--only", consumers.joined(separator: ","), "--database", overrides.database,
                        "--nats-url", connection.natsURLs.joined(separator: ","), "--clickhouse-url", connection.clickHouseURL,
                        "--sentiment", scenario.pipeline.sentiment, "--log-level", "warning"],
            environment: env, metricsPort: metricsPort, log: (logDir as NSString).appendingPathComponent("pipeline.log"))
        started.pipeline = pipeline
        output("[run] pipeline up (pid \(pipeline.pid), consumers \(consumers.joined(separator: ",")), metrics http://127.0.0.1:\(metricsPort)/metrics)")

        // 4. Workloads, paced from one shared start instant.
        let clock = ContinuousClock()
        let startInstant = clock.now + .milliseconds(200)
        let startWall = Timestamp.now().nanosSinceEpoch + 200_000_000
        let measured = (start: startWall + warmup.totalNanoseconds, end: startWall + (warmup + duration).totalNanoseconds)
        var drivers: [(Workload, WorkloadDriver, Double)] = []
        for (w, plan) in zip(scenario.workloads, plans) {
            let offered = plan.replayReport != nil ? plan.rate.expectedRate(at: 0) : w.rate.meanRate * scenario.rateScale
            var gate: (@Sendable (UInt64) async throws -> Void)?
            if let limit = w.closedLoop, case .generator(let k, _) = w.source, let table = Self.tableFor[k.rawValue] {
                gate = Self.closedLoopGate(ch: ch, table: table, limit: UInt64(limit))
            }
            drivers.append((w, try WorkloadDriver(plan: plan, connection: nats, measured: measured, sendGate: gate), offered))
        }
        let feedsByWorkload = Dictionary(uniqueKeysWithValues: zip(scenario.workloads.map(\.name), plans.map { $0.feeds.map(\.rawValue) }))
        output("[run] \(scenario.name): warm-up \(warmup), measured \(duration), \(drivers.count) workloads, rate scale \(scenario.rateScale)")

        var rsbenchSeries = ResourceSeries(process: "rsbench", pid: getpid())
        var pipelineSeries = ResourceSeries(process: "risksignal", pid: pipeline.pid)
        var stackSeries: [ResourceSeries] = []
        if local, let stack = Optional(LocalStack(config: try StackConfig.fromEnvironment(ProcessInfo.processInfo.environment, projectRoot: projectRoot))) {
            stackSeries = stack.processes.map { ResourceSeries(process: $0.service == "nats" ? "nats-server" : "clickhouse", pid: $0.pid) }
        }
        let maxPending = Mutex(0.0)
        let driverRefs = drivers.map(\.1)
        let offered = drivers.map(\.2)
        let names = drivers.map(\.0.name)

        let publishing = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for d in driverRefs {
                    group.addTask { try await d.run(startWall: startWall, startInstant: startInstant, end: warmup + duration) }
                }
                try await group.waitForAll()
            }
        }
        // Progress, once a second, while publishing.
        var lastPublished = driverRefs.map { _ in UInt64(0) }
        var lastRows = 0.0
        var second = 0
        var pendingSeries: [String: [Double]] = [:]
        var rowsSeries: [Double] = []
        while !publishing.isCancelled {
            try await Task.sleep(until: startInstant + .seconds(second + 1), clock: clock)
            second += 1
            let t = (clock.now - startInstant).seconds
            rsbenchSeries.sample(now: t); pipelineSeries.sample(now: t)
            for i in stackSeries.indices { stackSeries[i].sample(now: t) }
            let m = pipeline.scrape()
            let pending = m.map { $0.pendingByConsumer.values.reduce(0, +) } ?? 0
            for (c, v) in m?.pendingByConsumer ?? [:] {
                var col = pendingSeries[c] ?? []
                while col.count < second - 1 { col.append(0) }
                col.append(v)
                pendingSeries[c] = col
            }
            maxPending.withLock { $0 = max($0, pending) }
            let rows = m?.totalRows ?? lastRows
            var parts: [String] = []
            for (i, d) in driverRefs.enumerated() {
                let c = d.snapshot
                parts.append("\(names[i]) \(Int(offered[i]))→\(c.published - lastPublished[i])")
                lastPublished[i] = c.published
            }
            let p99 = driverRefs.map { LatencySummary($0.ackLatency.snapshot).p99 }.max() ?? 0
            let phase = second <= Int(warmup.seconds) ? "warm-up" : "measure"
            rowsSeries.append(max(0, rows - lastRows))
            if overrides.abortOnFail, second > Int(warmup.seconds) {
                var live = RunOutcome(scenario: scenario.name, file: scenario.file, status: .passed, startedAt: "", measuredSeconds: 1)
                var sched = LatencyRecorderMerge(), ack = LatencyRecorderMerge()
                for d in driverRefs { sched.add(d.scheduleLag.snapshot); ack.add(d.ackLatency.snapshot) }
                live.scheduleLag = sched.summary
                live.publishLatency = ack.summary
                live.maxConsumerPending = maxPending.withLock { $0 }
                live.resources = [rsbenchSeries, pipelineSeries] + stackSeries
                let liveFamilies = ["schedule_lag", "publish_latency", "consumer_pending", "cpu", "rss_mb"]
                if let g = scenario.gates.first(where: { g in
                    liveFamilies.contains(String(g.metric.split(separator: ".").first ?? "")) && live.metric(g.metric).map { !g.holds($0) } == true
                }) {
                    output("[run] --abort-on-fail: gate \(g.expression) is breached at \(second) s (measured \(live.metric(g.metric)!)); stopping early")
                    outcome.notes.append("aborted early at \(second) s: gate \(g.expression) breached while running (--abort-on-fail)")
                    publishing.cancel()
                    break
                }
            }
            output(String(format: "[%3ds %@] offered→achieved/s: %@ | ack p99 %.1f ms | pending %.0f | rows/s %.0f",
                          second, phase, parts.joined(separator: ", "), p99 * 1000, pending, rows - lastRows))
            lastRows = rows
            if Double(second) >= (warmup + duration).seconds + 1 { break }
        }
        do { try await publishing.value } catch is CancellationError where overrides.abortOnFail {}
        for d in driverRefs { try await d.waitForAcks(timeout: .seconds(30)) }

        // 5. Drain: until the consumers have nothing pending, or the drain timeout.
        output("[run] drain: waiting for the pipeline to catch up (at most \(scenario.drainTimeout))")
        let drainDeadline = clock.now + scenario.drainTimeout
        var drained = false
        let durables = consumers.compactMap { ConsumerCatalog.named($0) }
        while clock.now < drainDeadline {
            var total: UInt64 = 0
            for d in durables {
                if let s = try? await admin.consumerState(stream: d.stream.name, durable: d.durable) {
                    total += s.numPending + UInt64(max(0, s.numAckPending))
                }
            }
            if total == 0 { drained = true; break }
            try await Task.sleep(for: .milliseconds(250))
        }
        // Held windows (market) and open social batches close on the consumers' idle flush.
        try await Task.sleep(for: .seconds(2))
        outcome.drained = drained
        output(drained ? "[run] drained" : "[run] drain timeout: the pipeline still had messages pending")

        // Alerts raised near the end still need their webhook round trip.
        if !scenario.injections.isEmpty {
            let deadline = clock.now + .seconds(10)
            while receiver.deliveries.count < scenario.injections.count && clock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        }
        let alertLatency = LatencyRecorder()
        for d in receiver.deliveries where d.signatureValid {
            if let t = d.intendedNanos, t >= measured.start { alertLatency.record(nanoseconds: d.receivedAtNanos - t) }
        }
        outcome.alertLatency = LatencySummary(alertLatency.snapshot)
        outcome.alertsReceived = receiver.deliveries.count
        outcome.alertRules = receiver.deliveries.compactMap { d -> String? in
            guard case .object(let o)? = try? JSONParser.parse(Array(d.body.utf8)), case .object(let a)? = o["alert"], case .string(let r)? = a["rule"] else { return nil }
            return r
        }
        if !scenario.injections.isEmpty {
            output("[run] alerts received: \(receiver.deliveries.count) (\(OutcomeSummary.byRule(outcome.alertRules))) for \(scenario.injections.count) injections")
        }

        // 6. Measurement from ClickHouse itself.
        let m = pipeline.scrape()
        outcome.deadLettered = m?.deadLettered ?? 0
        outcome.sequenceGaps = m?.sequenceGaps ?? 0
        outcome.maxConsumerPending = maxPending.withLock { $0 }
        try await measure(&outcome, ch: ch, drivers: drivers, measured: measured, metrics: m, feeds: feedsByWorkload)
        try await crossCheck(&outcome, ch: ch, admin: admin, metrics: m,
                             replayFeeds: plans.filter { $0.replayReport != nil }.flatMap { $0.feeds.map(\.rawValue) })
        outcome.resources = [rsbenchSeries, pipelineSeries] + stackSeries
        outcome.warmupSeconds = warmup.seconds
        outcome.series.pendingByConsumer = pendingSeries
        outcome.series.rowsPerSecond = rowsSeries
        let secondsTotal = Int((warmup + duration).seconds.rounded(.up))
        outcome.series.offered = Self.sumSeries(driverRefs.map(\.offeredPerSecond), count: secondsTotal)
        outcome.series.achieved = Self.sumSeries(driverRefs.map(\.publishedPerSecond), count: secondsTotal)

        // 7. Validity, then gates.
        if let lag = outcome.scheduleLag, lag.p99 > scenario.limits.scheduleLagP99.seconds {
            outcome.invalidReasons.append(String(format: "schedule lag p99 %.1f ms is over the limit of %.1f ms: rsbench could not hold the schedule",
                                                 lag.p99 * 1000, scenario.limits.scheduleLagP99.seconds * 1000))
        }
        if rsbenchSeries.meanCPU > scenario.limits.rsbenchCPU {
            outcome.invalidReasons.append(String(format: "rsbench used %.0f%% of a core on average, over the limit of %.0f%%",
                                                 rsbenchSeries.meanCPU * 100, scenario.limits.rsbenchCPU * 100))
        }
        for g in scenario.gates {
            if let v = outcome.metric(g.metric) {
                outcome.gates.append(.init(expression: g.expression, measured: v, passed: g.holds(v), note: ""))
            } else {
                outcome.gates.append(.init(expression: g.expression, measured: nil, passed: false, note: "not measured in this run"))
            }
        }
        outcome.status = !outcome.invalidReasons.isEmpty ? .invalid : outcome.gates.allSatisfy(\.passed) ? .passed : .failedGates
    }

    func measure(_ outcome: inout RunOutcome, ch: ClickHouseClient, drivers: [(Workload, WorkloadDriver, Double)],
                 measured: (start: Int64, end: Int64), metrics: PipelineMetrics?, feeds: [String: [String]] = [:]) async throws {
        let from = Timestamp(nanosSinceEpoch: measured.start).clickHouseDateTime64Micro
        let to = Timestamp(nanosSinceEpoch: measured.end).clickHouseDateTime64Micro
        let window = "intended_at >= toDateTime64('\(from)', 6) AND intended_at < toDateTime64('\(to)', 6)"
        let lagExpr = "dateDiff('microsecond', intended_at, ingested_at)"
        let sentLagExpr = "dateDiff('microsecond', assumeNotNull(sent_at), ingested_at)"
        var usedTables: [String] = []
        var mergedSchedule = LatencyRecorderMerge(), mergedAck = LatencyRecorderMerge(), mergedAckU = LatencyRecorderMerge()
        for (w, d, offered) in drivers {
            let c = d.snapshot
            var table: String?
            var generator = "replay"
            if case .generator(let k, _) = w.source { generator = k.rawValue; table = Self.tableFor[k.rawValue] }
            for f in feeds[w.name] ?? [] where generator == "replay" {
                if let t = Self.tableFor[f], !usedTables.contains(t) { usedTables.append(t) }
            }
            mergedSchedule.add(d.scheduleLag.snapshot); mergedAck.add(d.ackLatency.snapshot); mergedAckU.add(d.ackLatencyUncorrected.snapshot)
            var stored: UInt64?
            var lost: UInt64 = c.failed
            if let t = table, !usedTables.contains(t) { usedTables.append(t) }
            // Every acked event of a 1:1 stream must be a row (deduplicated by event_id).
            if let n = try await Self.storedCount(generator, ch: ch, metrics: metrics) {
                stored = n
                lost += c.acked > n ? c.acked - n : 0
            }
            outcome.workloads.append(.init(name: w.name, generator: generator, table: table, offeredRate: offered, published: c.published,
                                           measuredPublished: c.measuredPublished, acked: c.acked, failed: c.failed, duplicates: c.duplicates,
                                           scheduleLag: LatencySummary(d.scheduleLag.snapshot), publishLatency: LatencySummary(d.ackLatency.snapshot),
                                           publishLatencyUncorrected: LatencySummary(d.ackLatencyUncorrected.snapshot),
                                           publishedPerSecond: d.publishedPerSecond, stored: stored, lost: lost))
        }
        outcome.scheduleLag = mergedSchedule.summary
        outcome.publishLatency = mergedAck.summary
        outcome.publishLatencyUncorrected = mergedAckU.summary
        var unions: [String] = []
        var sentUnions: [String] = []
        let parts = try await Self.partsByTable(ch, database: overrides.database)
        for t in usedTables {
            let rows = try await ch.rows("""
                SELECT count() AS n, quantilesExact(0.5, 0.9, 0.99, 0.999)(\(lagExpr)) AS q, max(\(lagExpr)) AS mx, avg(\(lagExpr)) AS mean
                FROM \(t) WHERE \(window)
                """)
            let s = Self.summary(rows.first)
            var result = RunOutcome.TableResult(table: t, rows: s.count, rowsPerSecond: Double(s.count) / scenario.duration.seconds, e2eLag: s)
            unions.append("SELECT \(lagExpr) AS lag FROM \(t) WHERE \(window)")
            if t != "book_topn" {
                let u = Self.summary(try await ch.rows("""
                    SELECT count() AS n, quantilesExact(0.5, 0.9, 0.99, 0.999)(\(sentLagExpr)) AS q, max(\(sentLagExpr)) AS mx, avg(\(sentLagExpr)) AS mean
                    FROM \(t) WHERE \(window) AND sent_at IS NOT NULL
                    """).first)
                if u.count > 0 {
                    result.e2eLagUncorrected = u
                    sentUnions.append("SELECT \(sentLagExpr) AS lag FROM \(t) WHERE \(window) AND sent_at IS NOT NULL")
                }
            }
            if let p = parts[t] {
                result.bytesOnDisk = p.disk
                result.bytesUncompressed = p.uncompressed
                result.activeParts = p.parts
                // Bytes per row from the table's own accounting, times the measured window's rows.
                if p.rows > 0 { result.bytesPerSecond = Double(p.uncompressed) / Double(p.rows) * result.rowsPerSecond }
            }
            outcome.tables.append(result)
        }
        if !unions.isEmpty {
            let union = unions.joined(separator: " UNION ALL ")
            outcome.e2eLag = Self.summary(try await ch.rows("""
                SELECT count() AS n, quantilesExact(0.5, 0.9, 0.99, 0.999)(lag) AS q, max(lag) AS mx, avg(lag) AS mean FROM (\(union))
                """).first)
            outcome.e2eSpectrum.corrected = try await Self.spectrum(ch, union)
            // Per second of intended send time, so a stall shows where it happened.
            let perSecond = try await ch.rows("""
                SELECT intDiv(toUnixTimestamp64Micro(intended_at) - \(measured.start / 1000), 1000000) AS s,
                       quantilesExact(0.5, 0.99)(lag) AS q
                FROM (SELECT intended_at, \(lagExpr) AS lag FROM (\(usedTables.map { "SELECT intended_at, ingested_at FROM \($0) WHERE \(window)" }.joined(separator: " UNION ALL "))))
                GROUP BY s ORDER BY s
                """)
            let seconds = Int(scenario.duration.seconds.rounded(.up))
            var p50 = [Double](repeating: 0, count: seconds), p99 = p50
            for r in perSecond {
                guard let sec = Self.number(r["s"]).map(Int.init), sec >= 0, sec < seconds, case .array(let q)? = r["q"], q.count == 2 else { continue }
                p50[sec] = (Self.number(q[0]) ?? 0) / 1e6
                p99[sec] = (Self.number(q[1]) ?? 0) / 1e6
            }
            outcome.series.e2eP50 = p50
            outcome.series.e2eP99 = p99
        }
        if !sentUnions.isEmpty {
            let union = sentUnions.joined(separator: " UNION ALL ")
            outcome.e2eLagUncorrected = Self.summary(try await ch.rows("""
                SELECT count() AS n, quantilesExact(0.5, 0.9, 0.99, 0.999)(lag) AS q, max(lag) AS mx, avg(lag) AS mean FROM (\(union))
                """).first)
            outcome.e2eSpectrum.uncorrected = try await Self.spectrum(ch, union)
        }
    }

    /// The stream each generator publishes into.
    static let streamFor = ["l2": StreamCatalog.marketL2Raw.name, "trades": StreamCatalog.marketTrades.name, "social": StreamCatalog.socialRaw.name,
                            "frontend": StreamCatalog.frontendEvents.name, "orders": StreamCatalog.userActions.name, "signals": StreamCatalog.signals.name]

    /// After the drain: acked publishes against stream counts, and stream counts against rows plus dead letters.
    /// A shortfall is a loss and stays one: nothing here is averaged across stages.
    func crossCheck(_ outcome: inout RunOutcome, ch: ClickHouseClient, admin: JetStreamContext, metrics: PipelineMetrics?,
                    replayFeeds: [String] = []) async throws {
        for spec in StreamCatalog.all {
            if let st = try? await admin.streamState(spec.name), st.messages > 0 || st.bytes > 0 {
                outcome.streams.append(.init(stream: spec.name, messages: st.messages, bytes: st.bytes, maxAgeSeconds: spec.maxAge.seconds))
            }
        }
        var dlqByStream: [String: UInt64] = [:]
        for r in (try? await ch.rows("SELECT stream, uniqExact(stream_sequence) AS n FROM dead_letters GROUP BY stream")) ?? [] {
            if case .string(let st)? = r["stream"] { dlqByStream[st] = UInt64(Self.number(r["n"]) ?? 0) }
        }
        var ackedByStream: [String: UInt64] = [:]
        var generatorsByStream: [String: Set<String>] = [:]
        // A replay's events spread over several streams in proportions only the capture knows: streams it shares are
        // not reconciled (its own acks are in its workload line).
        let replayed = Set(replayFeeds.compactMap { Self.streamFor[$0] })
        for w in outcome.workloads {
            guard let st = Self.streamFor[w.generator], !replayed.contains(st) else { continue }
            ackedByStream[st, default: 0] += w.acked - min(w.acked, w.duplicates)
            generatorsByStream[st, default: []].insert(w.generator)
        }
        func verdict(_ expected: UInt64, _ actual: UInt64) -> RunOutcome.CrossCheck.Verdict {
            actual == expected ? .ok : actual < expected ? .loss : .excess
        }
        for (st, acked) in ackedByStream.sorted(by: { $0.key < $1.key }) {
            let inStream = outcome.streams.first { $0.stream == st }?.messages ?? 0
            outcome.crossChecks.append(.init(name: "acked → \(st)", expected: acked, actual: inStream, verdict: verdict(acked, inStream),
                                             detail: "\(acked) publishes acked (duplicates excluded), \(inStream) messages in the stream"))
            guard let gens = generatorsByStream[st], gens.count == 1, let g = gens.first else { continue }
            let dlq = dlqByStream[st] ?? 0
            // `measure` already counted what the stage holds; count here only for an outcome built without it.
            var stored = outcome.workloads.first { $0.generator == g }?.stored
            if stored == nil { stored = try await Self.storedCount(g, ch: ch, metrics: metrics) }
            guard let stored else { continue }
            let what = g == "l2" ? "messages the market normaliser received" : "distinct events in \(Self.tableFor[g]!)"
            outcome.crossChecks.append(.init(name: "\(st) → \(g == "l2" ? "normaliser" : Self.tableFor[g]!) + DLQ", expected: inStream,
                                             actual: stored + dlq, verdict: verdict(inStream, stored + dlq),
                                             detail: "\(inStream) in the stream, \(stored) \(what), \(dlq) dead-lettered"))
        }
    }

    /// What the stage after a generator's stream holds: distinct events in its table (frontend beacons by their
    /// session and sequence, since a beacon becomes several rows), or, for books, which are windowed, the messages
    /// the market normaliser received. nil for kinds with no 1:1 stage.
    static func storedCount(_ generator: String, ch: ClickHouseClient, metrics: PipelineMetrics?) async throws -> UInt64? {
        switch generator {
        case "trades", "orders", "social", "signals":
            return UInt64(try await ch.scalarInt("SELECT uniqExact(event_id) FROM \(tableFor[generator]!)"))
        case "frontend":
            return UInt64(try await ch.scalarInt("SELECT uniqExact(arrayStringConcat(arraySlice(splitByChar(':', event_id), 1, 2), ':')) FROM frontend_actions"))
        case "l2":
            return metrics?.receivedByConsumer["market"].map { UInt64($0) } ?? 0
        default:
            return nil
        }
    }

    /// Closed loop: the sender waits while `limit` or more of its events are not yet rows in `table`. The count comes
    /// from ClickHouse itself, so a ClickHouse stall stalls the sender too, the way a request/response tool stalls.
    static func closedLoopGate(ch: ClickHouseClient, table: String, limit: UInt64) -> @Sendable (UInt64) async throws -> Void {
        let stored = Locked<UInt64>(0)
        return { sent in
            while sent >= stored.withLock({ $0 }) + limit {
                let n = UInt64(max(0, try await ch.scalarInt("SELECT count() FROM \(table)")))
                stored.withLock { $0 = n }
                if sent >= n + limit { try await Task.sleep(for: .milliseconds(5)) }
            }
        }
    }

    static func sumSeries(_ columns: [[Int]], count: Int) -> [Double] {
        var out = [Double](repeating: 0, count: count)
        for c in columns { for (i, v) in c.enumerated() where i < count { out[i] += Double(v) } }
        return out
    }

    static let spectrumLevels = [0.0, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999, 1.0]

    /// (percentile, seconds) pairs of a `lag` column in microseconds.
    static func spectrum(_ ch: ClickHouseClient, _ union: String) async throws -> [[Double]] {
        let rows = try await ch.rows("SELECT quantilesExact(\(spectrumLevels.map { String($0) }.joined(separator: ", ")))(lag) AS q FROM (\(union))")
        guard case .array(let q)? = rows.first?["q"] else { return [] }
        return zip(spectrumLevels, q).map { [$0 * 100, (number($1) ?? 0) / 1e6] }
    }

    struct PartStats { var rows: UInt64; var disk: UInt64; var uncompressed: UInt64; var parts: Int }

    /// Active parts, rows and bytes of each table, from `system.parts`.
    static func partsByTable(_ ch: ClickHouseClient, database: String) async throws -> [String: PartStats] {
        let rows = try await ch.rows("""
            SELECT table, sum(rows) AS rows, sum(bytes_on_disk) AS disk, sum(data_uncompressed_bytes) AS raw, count() AS parts
            FROM system.parts WHERE database = '\(database)' AND active GROUP BY table
            """)
        var out: [String: PartStats] = [:]
        for r in rows {
            guard case .string(let t)? = r["table"] else { continue }
            out[t] = PartStats(rows: UInt64(number(r["rows"]) ?? 0), disk: UInt64(number(r["disk"]) ?? 0),
                               uncompressed: UInt64(number(r["raw"]) ?? 0), parts: Int(number(r["parts"]) ?? 0))
        }
        return out
    }

    static func number(_ v: JSONValue?) -> Double? {
        switch v {
        case .int(let i)?: Double(i)
        case .double(let d)?: d
        case .string(let s)?: Double(s)
        default: nil
        }
    }

    static func summary(_ row: [String: JSONValue]?) -> LatencySummary {
        func num(_ v: JSONValue?) -> Double {
            switch v {
            case .int(let i)?: Double(i)
            case .double(let d)?: d
            case .string(let s)?: Double(s) ?? 0
            default: 0
            }
        }
        guard let row else { return LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0) }
        var q: [Double] = [0, 0, 0, 0]
        if case .array(let a)? = row["q"] { q = a.map { num($0) / 1e6 } + [0, 0, 0, 0] }
        return LatencySummary(count: UInt64(num(row["n"])), p50: q[0], p90: q[1], p99: q[2], p999: q[3], max: num(row["mx"]) / 1e6, mean: num(row["mean"]) / 1e6)
    }
}

/// Merges per-workload histograms into one.
struct LatencyRecorderMerge {
    var merged: Histogram<UInt64>?
    mutating func add(_ h: Histogram<UInt64>) {
        if merged == nil { merged = h } else { merged!.add(h) }
    }
    var summary: LatencySummary? { merged.map(LatencySummary.init) }
}
