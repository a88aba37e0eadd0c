import Foundation
import LoadDriver
import LoadSource
import Replay
import RiskSignalCore
import Scenario

/// Turns a scenario's workloads into load sources (synthetic generators or replays) and rate models, seeded per workload.
public enum WorkloadFactory {
    /// The plan for one workload; `end` is the whole run (warm-up + measured window).
    /// `ids` is the run's event-id policy: a per-run nonce mixed into generated ids and appended to replayed ones.
    public static func plan(for w: Workload, scenario: Scenario, end: Duration, ids: EventIDPolicy = .repeatable) throws -> WorkloadPlan {
        let seed = scenario.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(abs(w.name.hashValueStable))
        let kind: FeedKind, params: [String: ParamValue]
        switch w.source {
        case .generator(let k, let p): kind = k; params = p
        case .replay(let spec): return try replayPlan(w, spec, scenario: scenario, ids: ids)
        }
        let generator: any EventGenerator
        do {
            generator = try makeGenerator(kind, params: params, seed: seed, idSalt: ids.nonce)
        } catch {
            throw RunError.invalidScenario("\(scenario.file):\(w.line): workloads.\(w.name).params.\(error)")
        }
        let rate: any RateModel
        do {
            rate = try w.rate.make(seed: seed ^ 0xA5A5, scale: scenario.rateScale, end: end.totalNanoseconds)
        } catch {
            throw RunError.invalidScenario("\(scenario.file):\(w.line): workloads.\(w.name).rate: \(error)")
        }
        let injections = scenario.injections.compactMap { i -> (offset: Duration, injection: Injection)? in
            guard let kind = Injection.Kind(rawValue: i.kind) else { return nil }
            return (scenario.warmup + i.at, Injection(kind: kind, target: i.target, magnitude: i.magnitude, duration: i.duration))
        }
        return WorkloadPlan(name: w.name, generator: generator, rate: rate, injections: injections)
    }

    /// A replay workload: the capture (relative paths from the project root or the scenario's folder) on its own timing.
    static func replayPlan(_ w: Workload, _ spec: Workload.ReplaySpec, scenario: Scenario, ids: EventIDPolicy) throws -> WorkloadPlan {
        var options = ReplayOptions()
        options.ids = ids
        options.format = spec.format
        options.speed = spec.speed * scenario.rateScale
        options.topSpeed = spec.topSpeed
        options.loops = spec.loops
        options.maxRate = spec.maxRate
        options.maxGap = spec.maxGap
        options.symbols = spec.symbols.map(Set.init)
        options.socialFields = spec.fields
        options.keepTimes = spec.keepTimes
        let path = resolve(spec.path, scenarioFile: scenario.file)
        do {
            options.subjects = try SubjectAllowList(patterns: spec.allowSubjects)
            let (items, report) = try CaptureLoader(options: options).load(path: path)
            let schedule = try ReplaySchedule(items: items, options: options)
            let source = ReplayWorkload(schedule: schedule)
            return WorkloadPlan(name: w.name, generator: source, rate: source, injections: [], replayReport: report.description)
        } catch {
            throw RunError.invalidScenario("\(scenario.file):\(w.line): workloads.\(w.name).replay: \(error)")
        }
    }

    static func resolve(_ path: String, scenarioFile: String) -> String {
        if path.hasPrefix("/") || FileManager.default.fileExists(atPath: path) { return path }
        let beside = ((scenarioFile as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)
        if FileManager.default.fileExists(atPath: beside) { return beside }
        let project = (((scenarioFile as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)
        return FileManager.default.fileExists(atPath: project) ? project : path
    }
}

extension String {
    /// A hash that is the same in every process (Swift's `hashValue` is randomly seeded per process).
    var hashValueStable: Int {
        Int(truncatingIfNeeded: StableHash.fnv1a(utf8) >> 1)
    }
}
