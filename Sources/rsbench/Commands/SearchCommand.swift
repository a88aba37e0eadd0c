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
        abstract: "Find the highest rate a scenario sustains: step the rate up, then bisect.",
        discussion: """
            Each probe is a short run of the scenario at a rate scale. A probe is sustainable when the run is valid, \
            its gates pass (put latency SLOs in the scenario's gates), the backlog drains and never exceeds \
            --max-backlog-seconds of traffic, nothing is lost, and no table has more than 150 active parts (well \
            below ClickHouse's too-many-parts limit). The rate is multiplied by --factor until a probe fails, then \
            bisected --bisect-steps times. Writes reports/<time>-search-<scenario>/ (search.md, search.json, \
            search.html with the rate-vs-lag curve).

            Examples:
              rsbench search scenarios/baseline.yaml
              rsbench search scenarios/baseline.yaml --start-scale 2 --factor 1.5 --probe-duration 20s
            """
    )

    @Argument(help: "The scenario to probe.") var scenario: String
    @Option(help: "Measured seconds per probe, like 20s.") var probeDuration: String = "20s"
    @Option(help: "First probe's rate scale (1 = the scenario's own rates).") var startScale: Double = 1
    @Option(help: "Rate multiplier between steps.") var factor: Double = 2
    @Option(help: "Most step-up probes.") var maxSteps: Int = 6
    @Option(help: "Bisection probes after the first failure.") var bisectSteps: Int = 3
    @Option(help: "Largest backlog, in seconds of offered traffic, still called bounded.") var maxBacklogSeconds: Double = 5
    @Option(help: "Where the search report goes.") var reports: String = "reports"

    func run() async throws {
        let s: Scenario
        do { s = try ScenarioParser.load(path: scenario) } catch { print(error); throw ExitCode(3) }
        guard factor.isFinite, factor > 1, factor <= 1000, PacingLimits.scales.contains(startScale), (1...100).contains(maxSteps), (0...100).contains(bisectSteps) else {
            throw ValidationError("--factor must be > 1, --start-scale > 0, --max-steps ≥ 1, --bisect-steps ≥ 0")
        }
        let d: Duration
        switch Duration.parseScenario(probeDuration) {
        case .success(let v): d = v
        case .failure(let m): throw ValidationError("--probe-duration \(probeDuration): \(m)")
        }
        guard let root = StackConfig.findProjectRoot() else { throw ValidationError("cannot find the project checkout from \(FileManager.default.currentDirectoryPath)") }
        var search = RateSearch(scenario: s, probeDuration: d, startScale: startScale, factor: factor, maxSteps: maxSteps, bisectSteps: bisectSteps,
                                projectRoot: root, output: { print($0) })
        search.maxBacklogSeconds = maxBacklogSeconds
        let result = try await search.run()
        let md = SearchReportWriter.markdown(result)
        print(md)
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        f.timeZone = TimeZone(identifier: "UTC")
        let dirPath = (reports.hasPrefix("/") ? reports : (root as NSString).appendingPathComponent(reports)) + "/\(f.string(from: Date()))-search-\(s.name)"
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
