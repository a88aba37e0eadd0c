import Foundation
import Reporting

/// `rsbench run --repeat N`: the same scenario N times, one after another, on one stack.
///
/// Every run starts from the clean slate `ScenarioRunner` makes (database and streams recreated, a fresh pipeline
/// process), so runs are independent samples for `compare`; only the local stack is kept between them, because its
/// start-up is not what is measured. A stack this series started is stopped after the last run (unless kept).
public struct RunSeries: Sendable {
    public var runner: ScenarioRunner
    public var count: Int

    public init(runner: ScenarioRunner, count: Int) {
        self.runner = runner
        self.count = count
    }

    /// Runs the series, handing each report to `each` (number from 1) as it completes. Stops early when a run errors or
    /// is aborted: a second attempt would hit the same fault, and Ctrl-C means stop.
    public func run(each: @Sendable (Int, RunReport) async -> Void) async -> [RunReport] {
        let stackWasUp = localStackIsUp()
        var one = runner
        one.overrides.keepStack = true
        var reports: [RunReport] = []
        for number in 1...max(1, count) {
            if count > 1 { runner.output("[repeat] run \(number) of \(count)") }
            let report = await one.run()
            reports.append(report)
            await each(number, report)
            if report.verdict.status == .error || report.verdict.status == .aborted {
                if number < count { runner.output("[repeat] stopping after run \(number): it ended \(report.verdict.status.rawValue)") }
                break
            }
        }
        if !stackWasUp, !runner.overrides.keepStack, let stack = target()?.localStack {
            stack.down()
            runner.output("[run] stopped the local stack it started")
        }
        return reports
    }

    /// The target the runs resolve to, without starting anything.
    func target() -> RunTarget? {
        try? RunTarget.resolve(natsURL: runner.overrides.natsURL ?? runner.scenario.target.natsURL,
                               clickHouseURL: runner.overrides.clickHouseURL ?? runner.scenario.target.clickHouseURL,
                               environment: ProcessInfo.processInfo.environment, projectRoot: runner.projectRoot, startLocal: false)
    }

    func localStackIsUp() -> Bool {
        guard let stack = target()?.localStack else { return true }   // remote servers: nothing of ours to stop
        return stack.natsHealthy() && stack.clickHouseHealthy()
    }
}
