import ArgumentParser
import Foundation
import LocalStack
import Reporting
import RiskSignalCore
import Scenario
import ScenarioRun

/// `rsbench search <scenario>`: the highest sustainable rate on this stack.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find the highest rate a scenario sustains: step the rate up, bisect, then repeat the deciding probes.",
        discussion: """
            Each probe is a short run of the scenario at a rate scale. A probe is sustainable when the run is valid, \
            its gates pass (put latency SLOs in the scenario's gates), the backlog drains and never exceeds \
            --max-backlog-seconds of traffic, nothing is lost, and no table has more than 150 active parts (well \
            below ClickHouse's too-many-parts limit). The rate is multiplied by --factor until a probe fails, then \
            bisected --bisect-steps times. The two rates that decide the knee, the last sustainable and the first \
            failing, are then probed again until each has --repeats probes (at least 3), and each is decided by \
            majority: a rate is sustainable when a strict majority of its probes are (2 of 3; a tie is not). A rate \
            that flips moves the interval, and its neighbour is confirmed in turn. No more than --max-probes run.

            The knee is reported as an interval [last sustainable, first failing) in events/s, with every probe's \
            result. Each probe serves its live figures at --metrics-port, as `rsbench run` does. Writes reports/<time>-search-<scenario>/ (search.md, search.json, search.html with the \
            rate-vs-lag curve). Exit code 1 when no rate was sustainable.

            Examples:
              rsbench search scenarios/baseline.yaml
              rsbench search scenarios/baseline.yaml --start-scale 2 --factor 1.5 --probe-duration 20s --max-probes 16
            """
    )

    @Argument(help: "The scenario to probe.") var scenario: String
    @Option(help: "Measured time per probe, like 20s (1s to 1h).") var probeDuration: String = "20s"
    @Option(help: "First probe's rate scale (1 = the scenario's own rates).") var startScale: Double = 1
    @Option(help: "Rate multiplier between steps.") var factor: Double = 2
    @Option(help: "Most step-up probes.") var maxSteps: Int = 6
    @Option(help: "Bisection probes after the first failure.") var bisectSteps: Int = 3
    @Option(help: "Probes at each of the last sustainable and first failing rates (3 to 15), decided by majority.") var repeats: Int = 3
    @Option(help: "Most probes in all (at least 2 × --repeats); the knee is reported unconfirmed when they run out.") var maxProbes: Int = 24
    @Option(help: "Largest backlog, in seconds of offered traffic, still called bounded.") var maxBacklogSeconds: Double = 5
    @Option(help: "Where the search report goes.") var reports: String = "reports"
    @OptionGroup var live: LiveMetricsOptions

    /// The search's settings from the flags; a bad value is an error naming its flag.
    func config() throws -> KneeSearch.Config {
        guard PacingLimits.scales.contains(startScale) else { throw ValidationError("--start-scale \(startScale): expected a rate multiplier in 1e-06...1e+06") }
        guard maxBacklogSeconds.isFinite, maxBacklogSeconds > 0 else { throw ValidationError("--max-backlog-seconds \(maxBacklogSeconds): expected a positive number of seconds") }
        let d: Duration
        switch Duration.parseScenario(probeDuration) {
        case .success(let v): d = v
        case .failure(let m): throw ValidationError("--probe-duration \(probeDuration): \(m)")
        }
        let c = KneeSearch.Config(startScale: startScale, factor: factor, maxSteps: maxSteps, bisectSteps: bisectSteps, repeats: repeats,
                                  maxProbes: maxProbes, probeDuration: d)
        do { try c.validate() } catch { throw ValidationError(error.description) }
        return c
    }

    func validate() throws {
        _ = try config()
        _ = try live.port()
    }

    func run() async throws {
        let s: Scenario
        do { s = try ScenarioParser.load(path: scenario) } catch { print(error); throw ExitCode(3) }
        guard let root = StackConfig.findProjectRoot() else { throw ValidationError("cannot find the project checkout from \(FileManager.default.currentDirectoryPath)") }
        let reportsDir = reports.hasPrefix("/") ? reports : (root as NSString).appendingPathComponent(reports)
        try requireWritable(OutputPath(flag: "--reports", path: reportsDir, kind: .folder))
        var search = RateSearch(scenario: s, config: try config(), projectRoot: root, output: { print($0) })
        search.maxBacklogSeconds = maxBacklogSeconds
        search.metricsPort = try live.port()
        let result = try await search.run()
        let md = SearchReportWriter.markdown(result)
        print(md)
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        f.timeZone = TimeZone(identifier: "UTC")
        let dirPath = reportsDir + "/\(f.string(from: Date()))-search-\(s.name)"
        try FileManager.default.createDirectory(atPath: dirPath, withIntermediateDirectories: true)
        try md.write(toFile: dirPath + "/search.md", atomically: true, encoding: .utf8)
        try SearchReportWriter.html(result).write(toFile: dirPath + "/search.html", atomically: true, encoding: .utf8)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(result).write(to: URL(fileURLWithPath: dirPath + "/search.json"))
        print("search report: \(dirPath)/search.html")
        if result.knee == nil { throw ExitCode(1) }
    }
}
