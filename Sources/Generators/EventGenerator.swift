import RiskSignalCore

/// One event to publish: subject, JSON payload and ids; `intendedNanos` is when it is due (ns since epoch).
public struct GeneratedEvent: Sendable {
    public var subject: String
    public var payload: [UInt8]
    public var eventID: String
    public var intendedNanos: Int64

    public init(subject: String, payload: [UInt8], eventID: String, intendedNanos: Int64) {
        self.subject = subject
        self.payload = payload
        self.eventID = eventID
        self.intendedNanos = intendedNanos
    }
}

/// Makes the events of one workload. `next(at:)` is called with each arrival's intended time, in increasing order.
public protocol EventGenerator: Sendable {
    /// "l2", "trades", "social", "frontend", "orders" or "signals".
    var kind: String { get }
    mutating func next(at intendedNanos: Int64) -> GeneratedEvent
    /// Starts an anomaly (see `Injection`); generators ignore kinds that are not theirs.
    mutating func inject(_ injection: Injection, at intendedNanos: Int64)
}

/// An anomaly a scenario injects into running traffic, so the pipeline's risk signals have something to find.
public struct Injection: Sendable, Equatable {
    /// What kind of anomaly, spelled as in scenario files.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// `magnitude`: fraction of the top levels' quantity removed (0.8). Target: a symbol. L2 and trades.
        case liquidityDrop = "liquidity_drop"
        /// `magnitude`: spread factor (5 = five times as wide). Target: a symbol. L2 and trades.
        case spreadBlowout = "spread_blowout"
        /// `magnitude`: extra new orders per second from one user. Target: a user id. Orders.
        case orderVelocity = "order_velocity"
        /// `magnitude`: factor on the symbol's mention rate, with strongly negative posts. Target: a symbol. Social.
        case socialBuzz = "social_buzz"
    }

    public var kind: Kind
    /// A symbol (`BTC-USDT`) or a user id written as a decimal string (`42`).
    public var target: String
    public var magnitude: Double
    public var duration: Duration

    public init(kind: Kind, target: String, magnitude: Double, duration: Duration) {
        self.kind = kind
        self.target = target
        self.magnitude = magnitude
        self.duration = duration
    }
}

/// A generator or rate-model parameter that was refused: which one (its Swift name) and why.
public struct GeneratorParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var parameter: String
    public var message: String

    public init(parameter: String, message: String) {
        self.parameter = parameter
        self.message = message
    }

    public var description: String { "\(parameter): \(message)" }
}

/// Parameter checks that name the parameter in the error, shared by every generator and rate model.
enum Check {
    static func positive(_ v: Double, _ name: String) throws(GeneratorParameterError) {
        guard v.isFinite, v > 0 else { throw .init(parameter: name, message: "must be a finite number > 0, got \(v)") }
    }

    static func nonNegative(_ v: Double, _ name: String) throws(GeneratorParameterError) {
        guard v.isFinite, v >= 0 else { throw .init(parameter: name, message: "must be a finite number ≥ 0, got \(v)") }
    }

    static func fraction(_ v: Double, _ name: String, open: Bool = false) throws(GeneratorParameterError) {
        let ok = open ? (v > 0 && v < 1) : (v >= 0 && v <= 1)
        guard ok else {
            throw .init(parameter: name, message: open ? "must be strictly between 0 and 1, got \(v)" : "must be between 0 and 1, got \(v)")
        }
    }

    static func range(_ v: Int, _ r: ClosedRange<Int>, _ name: String) throws(GeneratorParameterError) {
        guard r.contains(v) else { throw .init(parameter: name, message: "must be in \(r.lowerBound)...\(r.upperBound), got \(v)") }
    }

    static func range(_ v: Double, _ r: ClosedRange<Double>, _ name: String) throws(GeneratorParameterError) {
        guard v.isFinite, r.contains(v) else {
            throw .init(parameter: name, message: "must be in \(r.lowerBound)...\(r.upperBound), got \(v)")
        }
    }

    static func positive(_ d: Duration, _ name: String) throws(GeneratorParameterError) {
        guard d > .zero else { throw .init(parameter: name, message: "must be a positive duration, got \(d)") }
    }

    /// Symbols must look like `BASE-QUOTE` (what the pipeline's validators accept) and be distinct.
    static func symbols(_ list: [String], _ name: String) throws(GeneratorParameterError) {
        guard !list.isEmpty else { throw .init(parameter: name, message: "must list at least one symbol") }
        for s in list where !FieldReader.isSymbol(s) {
            throw .init(parameter: name, message: "\"\(s)\" is not a BASE-QUOTE symbol like BTC-USDT")
        }
        guard Set(list).count == list.count else { throw .init(parameter: name, message: "lists a symbol twice") }
    }
}
