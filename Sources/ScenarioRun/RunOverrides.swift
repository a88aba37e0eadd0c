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
    /// Event ids from the seed only (`--repeatable-ids`); by default each run mixes in a nonce of its own.
    public var repeatableIDs = false
    /// Serve the live figures at `http://127.0.0.1:<port>/metrics` while the run is in progress (nil: no endpoint).
    public var metricsPort: Int?

    public init() {}
}
