import Foundation
import Reporting
import RiskSignalCore
import Scenario

extension RunReport {
    /// The report of a run that is about to start: its scenario, this machine, and an `error` verdict until it finishes.
    static func starting(_ scenario: Scenario, version: String) -> RunReport {
        let sha = SHA256.hex(scenario.sourceText)
        let env = EnvironmentCollector().collect(rsbenchVersion: version, scenarioSHA256: sha)
        let now = Date()
        return RunReport(scenario: ScenarioRef(name: scenario.name, file: scenario.file, sha256: sha), startedAt: now, endedAt: now,
                         durationSeconds: scenario.duration.seconds, warmupExcludedSeconds: scenario.warmup.seconds,
                         verdict: Verdict(status: .error), environment: env)
    }
}
