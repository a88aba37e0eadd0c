import RiskSignalCore

/// Turns one bus message into the table rows it stands for, or says why it is invalid.
public protocol RowEncoder: Sendable {
    /// The ClickHouse table the rows go to.
    var table: String { get }
    /// JSONEachRow lines (one message may become several rows), or the validation failure.
    func rows(subject: String, payload: UnsafeRawBufferPointer, headers: (String) -> String?) -> Result<[String], ValidationError>
}

/// `signals.>` messages to `raw_signals` rows (seed 000's schema).
public struct SignalRowEncoder: RowEncoder {
    public let table = "raw_signals"
    public var validator: RiskSignalValidator

    public init(validator: RiskSignalValidator = .init()) { self.validator = validator }

    public func rows(subject: String, payload: UnsafeRawBufferPointer, headers: (String) -> String?) -> Result<[String], ValidationError> {
        validator.validate(payload).map { [$0.clickHouseRow()] }
    }
}
