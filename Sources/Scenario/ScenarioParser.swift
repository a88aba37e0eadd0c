import Foundation
import LoadSource
import RiskSignalCore
import Yams

/// Reads a scenario file into a `Scenario`, reporting every problem with file, line and key.
public enum ScenarioParser {
    static let topKeys = ["name", "description", "duration", "warmup", "drain_timeout", "seed", "rate_scale", "target",
                          "stack", "limits", "pipeline", "workloads", "injections", "gates"]
    static let workloadKeys = ["name", "generator", "replay", "speed", "rate", "params", "format", "loop", "max_rate", "max_gap", "symbols", "fields", "top_speed", "closed_loop", "keep_times", "allow_subjects"]
    static let replayOnlyKeys = ["speed", "format", "loop", "max_rate", "max_gap", "symbols", "fields", "top_speed", "keep_times", "allow_subjects"]

    /// Generator names and the parameters each accepts (kept in step with the generators by a unit test).
    public static let generatorParameters: [FeedKind: [String]] = [
        .l2: ["symbols", "zipf_exponent", "depth", "touch_decay", "max_level_changes", "snapshot_every", "volatility",
               "jump_probability", "jump_size", "touch_notional", "level_growth", "size_sigma", "injection_levels"],
        .trades: ["symbols", "zipf_exponent", "buy_probability", "median_notional", "size_sigma", "sweep_probability",
                   "max_sweep_levels", "updates_per_trade", "depth", "volatility", "jump_probability", "jump_size", "touch_notional"],
        .social: ["symbols", "zipf_exponent", "positive_fraction", "negative_fraction", "english_fraction", "author_pool", "engagement_alpha"],
        .frontend: ["sessions_per_second", "beacon_size", "think_time", "user_count", "max_pages_per_session", "symbols", "zipf_exponent"],
        .orders: ["symbols", "zipf_exponent", "user_count", "user_zipf_exponent", "market_order_fraction", "cancel_ratio",
                   "cancel_heavy_fraction", "cancel_heavy_ratio", "partial_fill_probability", "target_open_orders", "median_notional",
                   "injected_cancel_ratio"],
        .signals: [],
    ]

    public static func load(path: String) throws(ScenarioErrors) -> Scenario {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ScenarioErrors(issues: [ScenarioIssue(file: path, line: 0, column: 0, key: "", message: "cannot read the file (does it exist, and is it UTF-8 text?)")])
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(ScenarioErrors) -> Scenario {
        let r = YAMLReader(file: file)
        let root: Node
        do {
            guard let n = try Yams.compose(yaml: text) else {
                throw ScenarioErrors(issues: [ScenarioIssue(file: file, line: 1, column: 1, key: "", message: "the file is empty")])
            }
            root = n
        } catch let e as ScenarioErrors {
            throw e
        } catch {
            throw ScenarioErrors(issues: [syntaxIssue(error, file: file)])
        }
        guard let top = r.mapping(root, "", allowed: topKeys) else { throw ScenarioErrors(issues: r.issues) }
        let baseName = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        var s = Scenario(name: r.string(top["name"], "name") ?? baseName, description: r.string(top["description"], "description") ?? "",
                         file: file, duration: .seconds(60), warmup: .seconds(5), drainTimeout: .seconds(60), seed: 1, rateScale: 1,
                         target: .init(), limits: .init(), pipeline: .init(), workloads: [], injections: [], gates: [], sourceText: text)
        if top["duration"] == nil { r.issue(root, "duration", "required: how long the measured window lasts, like 60s") }
        if let d = r.duration(top["duration"], "duration", allowZero: false) { s.duration = d }
        if let d = r.duration(top["warmup"], "warmup") { s.warmup = d }
        if let d = r.duration(top["drain_timeout"], "drain_timeout") { s.drainTimeout = d }
        if let n = r.integer(top["seed"], "seed", min: 0) { s.seed = UInt64(n) }
        if let v = r.number(top["rate_scale"], "rate_scale", in: 1e-6...1e6, what: "a positive multiplier") { s.rateScale = v }
        if let t = top["target"], let m = r.mapping(t, "target", allowed: ["nats_url", "clickhouse_url"]) {
            s.target.natsURL = r.string(m["nats_url"], "target.nats_url")
            s.target.clickHouseURL = r.string(m["clickhouse_url"], "target.clickhouse_url")
        }
        if let t = top["stack"], let m = r.mapping(t, "stack", allowed: ["nats_nodes"]) {
            s.target.natsNodes = r.integer(m["nats_nodes"], "stack.nats_nodes", min: 1, max: 5)
        }
        if let l = top["limits"], let m = r.mapping(l, "limits", allowed: ["schedule_lag_p99", "rsbench_cpu"]) {
            if let d = r.duration(m["schedule_lag_p99"], "limits.schedule_lag_p99", allowZero: false) { s.limits.scheduleLagP99 = d }
            if let v = r.share(m["rsbench_cpu"], "limits.rsbench_cpu", of: "the machine (all cores)") { s.limits.rsbenchCPU = v }
        }
        if let p = top["pipeline"] { s.pipeline = parsePipeline(p, r) }
        if let seq = r.sequence(top["workloads"], "workloads") {
            for (i, w) in seq.enumerated() { if let wl = parseWorkload(w, "workloads[\(i)]", r) { s.workloads.append(wl) } }
            if seq.isEmpty { r.issue(top["workloads"], "workloads", "needs at least one workload") }
            var seen: Set<String> = []
            for w in s.workloads where !seen.insert(w.name).inserted {
                r.issues.append(ScenarioIssue(file: file, line: w.line, column: 0, key: "workloads", message: "two workloads are named \(w.name); names must be unique"))
            }
        } else if top["workloads"] == nil {
            r.issue(root, "workloads", "required: a list of workloads (generator or replay, with a rate)")
        }
        if let seq = r.sequence(top["injections"], "injections") {
            for (i, n) in seq.enumerated() { if let inj = parseInjection(n, "injections[\(i)]", r, duration: s.duration) { s.injections.append(inj) } }
        }
        if let seq = r.sequence(top["gates"], "gates") {
            for (i, n) in seq.enumerated() {
                guard let text = r.string(n, "gates[\(i)]") else { continue }
                switch Gate.parse(text, line: n.mark?.line ?? 0) {
                case .success(let g): s.gates.append(g)
                case .failure(let m): r.issue(n, "gates[\(i)]", m.text)
                }
            }
        }
        if !r.issues.isEmpty { throw ScenarioErrors(issues: r.issues) }
        return s
    }

    static func parsePipeline(_ node: Node, _ r: YAMLReader) -> Scenario.PipelineSettings {
        var p = Scenario.PipelineSettings()
        guard let m = r.mapping(node, "pipeline", allowed: ["consumers", "batch_size", "max_wait", "sentiment", "policy"]) else { return p }
        let names = FeedKind.allCases.map(\.consumerName)
        let runnable = names + ["alerts", "webhooks"]
        if let seq = r.sequence(m["consumers"], "pipeline.consumers") {
            p.consumers = seq.enumerated().compactMap { i, n in
                guard let s = r.string(n, "pipeline.consumers[\(i)]") else { return nil }
                guard runnable.contains(s) else { r.issue(n, "pipeline.consumers[\(i)]", "unknown consumer \(s); expected one of \(runnable.joined(separator: ", "))"); return nil }
                return s
            }
        }
        if let b = m["batch_size"], let bm = r.mapping(b, "pipeline.batch_size", allowed: names) {
            // 100 000 is the pipeline's own limit (PipelineEnvironment.maxBatchSize): a larger batch is refused there too.
            for (k, v) in bm { if let n = r.integer(v, "pipeline.batch_size.\(k)", min: 1, max: 100_000) { p.batchSize[k] = n } }
        }
        if let w = m["max_wait"], let wm = r.mapping(w, "pipeline.max_wait", allowed: names) {
            for (k, v) in wm { if let d = r.duration(v, "pipeline.max_wait.\(k)", allowZero: false) { p.maxWait[k] = d } }
        }
        // The file is read (and its errors reported by file, line and key) by the run's checks, like a replay's capture.
        if let s = r.string(m["policy"], "pipeline.policy") { p.policy = s }
        if let s = r.string(m["sentiment"], "pipeline.sentiment") {
            if ["lexicon", "openai"].contains(s) { p.sentiment = s } else { r.issue(m["sentiment"], "pipeline.sentiment", "expected lexicon or openai") }
        }
        return p
    }

    static func parseWorkload(_ node: Node, _ path: String, _ r: YAMLReader) -> Workload? {
        guard let m = r.mapping(node, path, allowed: workloadKeys) else { return nil }
        let line = node.mark?.line ?? 0
        let name = r.string(m["name"], "\(path).name")
        if m["name"] == nil { r.issue(node, "\(path).name", "required: a name for the workload's progress lines and metrics") }
        let source: Workload.Source?
        switch (m["generator"], m["replay"]) {
        case (let g?, nil):
            guard let kind = r.string(g, "\(path).generator") else { return nil }
            guard let feed = FeedKind(rawValue: kind), let allowed = generatorParameters[feed] else {
                r.issue(g, "\(path).generator", "unknown generator \"\(kind)\"; expected one of \(generatorParameters.keys.map(\.rawValue).sorted().joined(separator: ", "))")
                return nil
            }
            var params: [String: ParamValue] = [:]
            if let p = m["params"], let pm = r.mapping(p, "\(path).params", allowed: allowed) {
                for (k, v) in pm {
                    switch v {
                    case .scalar(let sc):
                        if let d = YAMLReader.parseNumber(sc.string) { params[k] = .number(d) } else { params[k] = .string(sc.string) }
                    case .sequence(let items):
                        params[k] = .strings(items.map { $0.string ?? "" })
                    default:
                        r.issue(v, "\(path).params.\(k)", "expected a number, a string or a list of strings")
                    }
                }
            }
            for k in Self.replayOnlyKeys where m[k] != nil { r.issue(m[k], "\(path).\(k)", "\(k) applies to replay workloads only") }
            source = .generator(kind: feed, params: params)
        case (nil, let rp?):
            guard let file = r.string(rp, "\(path).replay") else { return nil }
            var spec = Workload.ReplaySpec(path: file)
            spec.speed = r.number(m["speed"], "\(path).speed", in: 1e-6...1e6, what: "a positive speed multiplier") ?? 1
            if let f = m["format"] { spec.format = r.string(f, "\(path).format") ?? "auto" }
            if let l = m["loop"] { spec.loops = r.integer(l, "\(path).loop", min: 1, max: ParameterCheck.maxLoops) ?? 1 }
            if let x = m["max_rate"] { spec.maxRate = r.rate(x, "\(path).max_rate") }
            if let g = m["max_gap"] { spec.maxGap = r.duration(g, "\(path).max_gap", allowZero: false) }
            if let t = m["top_speed"] {
                if case .scalar(let sc) = t, ["true", "false"].contains(sc.string) { spec.topSpeed = sc.string == "true" }
                else { r.issue(t, "\(path).top_speed", "expected true or false") }
            }
            if let k = m["keep_times"] {
                if case .scalar(let sc) = k, ["true", "false"].contains(sc.string) { spec.keepTimes = sc.string == "true" }
                else { r.issue(k, "\(path).keep_times", "expected true or false") }
            }
            if let sy = m["symbols"] {
                if case .sequence(let items) = sy { spec.symbols = items.compactMap(\.string) } else { r.issue(sy, "\(path).symbols", "expected a list of symbols like [BTC-USD]") }
            }
            if let al = m["allow_subjects"] {
                if case .sequence(let items) = al { spec.allowSubjects = items.compactMap(\.string) }
                else { r.issue(al, "\(path).allow_subjects", "expected a list of NATS subject patterns like [custom.>]") }
            }
            if let fm = m["fields"], let fields = r.mapping(fm, "\(path).fields", allowed: ["text", "symbol", "time", "author", "source", "language", "id"]) {
                for (k, v) in fields { if let s = r.string(v, "\(path).fields.\(k)") { spec.fields[k] = s } }
            }
            if m["params"] != nil { r.issue(m["params"], "\(path).params", "params apply to generator workloads only") }
            source = .replay(spec)
        case (nil, nil):
            r.issue(node, path, "needs either generator: <name> or replay: <file>")
            return nil
        case (_?, _?):
            r.issue(node, path, "has both generator and replay; choose one")
            return nil
        }
        let closedLoop = m["closed_loop"].flatMap { r.integer($0, "\(path).closed_loop", min: 1, max: 100_000_000) }
        if m["closed_loop"] != nil, case .replay? = source { r.issue(m["closed_loop"], "\(path).closed_loop", "closed_loop applies to generator workloads only") }
        guard let rateNode = m["rate"] else {
            if case .replay? = source { return name.map { Workload(name: $0, source: source!, rate: .constant(0), line: line) } }
            r.issue(node, "\(path).rate", "required: events per second (a number) or a rate model mapping")
            return nil
        }
        guard let rate = parseRate(rateNode, "\(path).rate", r), let name, let source else { return nil }
        return Workload(name: name, source: source, rate: rate, closedLoop: closedLoop, line: line)
    }

    static func parseRate(_ node: Node, _ path: String, _ r: YAMLReader) -> RateSpec? {
        if case .scalar = node {
            guard let v = r.rate(node, path) else { return nil }
            return .constant(v)
        }
        let keys = ["model", "rate", "start", "stages", "on_rate", "off_rate", "on", "off", "baseline", "excitation", "decay"]
        guard let m = r.mapping(node, path, allowed: keys) else { return nil }
        guard let model = r.string(m["model"], "\(path).model") else {
            if m["model"] == nil { r.issue(node, "\(path).model", "required: constant, poisson, ramp, step, bursts or hawkes") }
            return nil
        }
        func positive(_ k: String, zero: Bool = false) -> Double? {
            if m[k] == nil { r.issue(node, "\(path).\(k)", "required for the \(model) model"); return nil }
            return r.rate(m[k], "\(path).\(k)", allowZero: zero)
        }
        func stages() -> [RateSpec.Stage]? {
            guard let seq = r.sequence(m["stages"], "\(path).stages") else {
                if m["stages"] == nil { r.issue(node, "\(path).stages", "required for the \(model) model: a list of {duration, rate}") }
                return nil
            }
            var out: [RateSpec.Stage] = []
            for (i, st) in seq.enumerated() {
                let p = "\(path).stages[\(i)]"
                guard let sm = r.mapping(st, p, allowed: ["duration", "rate", "target"]) else { continue }
                let d = r.duration(sm["duration"], "\(p).duration", allowZero: false)
                if sm["duration"] == nil { r.issue(st, "\(p).duration", "required, like 30s") }
                let rateNode = sm["rate"] ?? sm["target"]
                if rateNode == nil { r.issue(st, "\(p).rate", "required: events per second at the end of the stage") }
                let v = r.rate(rateNode, "\(p).rate", allowZero: true)
                if let d, let v { out.append(.init(duration: d, rate: v)) }
            }
            return out.count == seq.count && !out.isEmpty ? out : nil
        }
        switch model {
        case "constant": return positive("rate").map { .constant($0) }
        case "poisson": return positive("rate").map { .poisson($0) }
        case "ramp":
            let start = m["start"] == nil ? 0 : r.rate(m["start"], "\(path).start", allowZero: true)
            guard let st = stages(), let start else { return nil }
            return .ramp(start: start, stages: st)
        case "step": return stages().map { .step($0) }
        case "bursts":
            let on = positive("on_rate"), off = positive("off_rate", zero: true)
            let a = r.duration(m["on"], "\(path).on", allowZero: false), b = r.duration(m["off"], "\(path).off", allowZero: false)
            if m["on"] == nil { r.issue(node, "\(path).on", "required: how long each burst lasts, like 2s") }
            if m["off"] == nil { r.issue(node, "\(path).off", "required: how long the quiet phase lasts, like 8s") }
            guard let on, let off, let a, let b else { return nil }
            return .bursts(onRate: on, offRate: off, on: a, off: b)
        case "hawkes":
            let mu = positive("baseline")
            let alpha = m["excitation"] == nil ? nil : r.number(m["excitation"], "\(path).excitation", in: 0...1e8, what: "a non-negative excitation")
            let beta = m["decay"] == nil ? nil : r.number(m["decay"], "\(path).decay", in: 1e-6...1e8, what: "a positive decay rate (1/s)")
            if m["excitation"] == nil { r.issue(node, "\(path).excitation", "required for the hawkes model") }
            if m["decay"] == nil { r.issue(node, "\(path).decay", "required for the hawkes model") }
            guard let mu, let alpha, let beta else { return nil }
            guard alpha / beta < 1 else {
                r.issue(m["excitation"], "\(path).excitation", "excitation/decay must be below 1 (a branching ratio of \(alpha / beta) explodes)")
                return nil
            }
            return .hawkes(baseline: mu, excitation: alpha, decay: beta)
        default:
            r.issue(m["model"], "\(path).model", "unknown rate model \"\(model)\"; expected constant, poisson, ramp, step, bursts or hawkes")
            return nil
        }
    }

    static func parseInjection(_ node: Node, _ path: String, _ r: YAMLReader, duration: Duration) -> InjectionSpec? {
        guard let m = r.mapping(node, path, allowed: ["at", "kind", "target", "magnitude", "duration"]) else { return nil }
        for k in ["at", "kind", "target"] where m[k] == nil { r.issue(node, "\(path).\(k)", "required") }
        let at = r.duration(m["at"], "\(path).at")
        let kind = r.string(m["kind"], "\(path).kind")
        if let kind, !InjectionSpec.kinds.contains(kind) {
            r.issue(m["kind"], "\(path).kind", "unknown injection \"\(kind)\"; expected one of \(InjectionSpec.kinds.joined(separator: ", "))")
            return nil
        }
        let target = r.string(m["target"], "\(path).target")
        let defaults: [String: Double] = ["liquidity_drop": 0.8, "spread_blowout": 5, "order_velocity": 50, "social_buzz": 10]
        let magnitude = m["magnitude"] == nil ? defaults[kind ?? ""] : r.number(m["magnitude"], "\(path).magnitude", positive: true, allowZero: false, what: "a positive magnitude")
        if kind == "liquidity_drop", let mg = magnitude, mg > 1 { r.issue(m["magnitude"], "\(path).magnitude", "a liquidity drop removes a fraction of depth: expected 0 < magnitude ≤ 1"); return nil }
        let dur = m["duration"] == nil ? Duration.seconds(5) : r.duration(m["duration"], "\(path).duration", allowZero: false)
        if let at, at > duration { r.issue(m["at"], "\(path).at", "is after the end of the measured window (\(duration))") }
        guard let at, let kind, let target, let magnitude, let dur else { return nil }
        return InjectionSpec(at: at, kind: kind, target: target, magnitude: magnitude, duration: dur, line: node.mark?.line ?? 0)
    }

    static func syntaxIssue(_ error: Error, file: String) -> ScenarioIssue {
        if let y = error as? YamlError {
            switch y {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
                return ScenarioIssue(file: file, line: mark.line, column: mark.column, key: "", message: "YAML syntax: \(problem)")
            default: break
            }
        }
        return ScenarioIssue(file: file, line: 0, column: 0, key: "", message: "YAML syntax: \(error)")
    }
}
