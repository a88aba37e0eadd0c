import JetStream
import LoadSource
import RiskSignalCore

/// A fixed number of events from one generator at a constant rate, on the same pacer as a scenario's workloads:
/// `risksignal produce` and the pipeline benchmark's stream filling. Event i is due at start + i/rate, stamped with
/// that intended instant (`Rs-Intended-Ns`); `run` returns once JetStream has answered every publish.
public struct CountedWorkload: Sendable {
    public var name: String
    public var generator: any EventGenerator
    /// Events per second.
    public var rate: Double
    public var count: Int

    public init(name: String, generator: any EventGenerator, rate: Double, count: Int) {
        self.name = name
        self.generator = generator
        self.rate = rate
        self.count = count
    }

    /// Publishes every event and waits up to `ackTimeout` for the last acks; `progress` gets the number published so
    /// far about once a second.
    public func run(connection: NATSConnection, ackTimeout: Duration = .seconds(60),
                    progress: (@Sendable (UInt64) -> Void)? = nil) async throws -> WorkloadCounts {
        let rateModel = try CountLimitedRate(try ConstantRate(rate: rate), count: count)
        let plan = WorkloadPlan(name: name, generator: generator, rate: rateModel)
        let clock = ContinuousClock()
        let startInstant = clock.now
        let startWall = Timestamp.now().nanosSinceEpoch
        let driver = try WorkloadDriver(plan: plan, connection: connection, measured: (startWall, .max))
        let reporter = progress.map { report in
            Task {
                while true {
                    try await Task.sleep(for: .seconds(1))
                    report(driver.snapshot.published)
                }
            }
        }
        defer { reporter?.cancel() }
        try await driver.run(startWall: startWall, startInstant: startInstant)
        reporter?.cancel()
        try await driver.waitForAcks(timeout: ackTimeout)
        return driver.snapshot
    }
}
