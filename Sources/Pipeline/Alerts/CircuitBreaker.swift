import Metrics

/// One endpoint's circuit breaker, as a value: after `threshold` failed requests in a row the endpoint is left
/// alone for a cool-off (doubling on each reopening, up to `maxOpen`), then a single probe decides whether it is
/// back. Deliveries wait out an open breaker instead of spending their attempts on a receiver that is down.
public struct BreakerState: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case closed
        case open(until: ContinuousClock.Instant)
        /// One probe request is out; the others wait for its answer.
        case halfOpen
    }

    /// What a delivery may do now.
    public enum Permit: Sendable, Equatable {
        case send
        /// Send: this request is the probe that closes or reopens the breaker.
        case probe
        case wait(until: ContinuousClock.Instant)
        case waitForProbe
    }

    public var threshold: Int
    public var baseOpen: Duration
    public var maxOpen: Duration
    public private(set) var state: State = .closed
    public private(set) var failuresInARow = 0
    public private(set) var openFor: Duration
    /// Times the breaker opened.
    public private(set) var openings = 0

    public init(threshold: Int = 5, baseOpen: Duration = .seconds(1), maxOpen: Duration = .seconds(30)) {
        self.threshold = max(1, threshold)
        self.baseOpen = baseOpen
        self.maxOpen = max(baseOpen, maxOpen)
        openFor = baseOpen
    }

    public mutating func permit(now: ContinuousClock.Instant) -> Permit {
        switch state {
        case .closed: return .send
        case .halfOpen: return .waitForProbe
        case .open(let until):
            guard now >= until else { return .wait(until: until) }
            state = .halfOpen
            return .probe
        }
    }

    /// The answer to a request sent under `permit`: a success closes the breaker; a failed probe, or the
    /// `threshold`-th failure in a row, opens it.
    public mutating func record(success: Bool, now: ContinuousClock.Instant) {
        if success {
            state = .closed
            failuresInARow = 0
            openFor = baseOpen
            return
        }
        failuresInARow += 1
        guard state == .halfOpen || (state == .closed && failuresInARow >= threshold) else { return }
        state = .open(until: now + openFor)
        openings += 1
        let doubled = openFor * 2
        openFor = doubled > maxOpen ? maxOpen : doubled
    }
}

/// The breaker of one endpoint, shared by its concurrent deliveries.
actor CircuitBreaker {
    private var state: BreakerState
    private let opened: Counter

    init(_ state: BreakerState, endpoint: String) {
        self.state = state
        opened = Counter(label: "risksignal_webhook_circuit_opened_total", dimensions: [("endpoint", endpoint)])
    }

    /// Waits until a request may go (true), or returns false when that would be after `deadline`.
    func waitForPermit(deadline: ContinuousClock.Instant) async -> Bool {
        while true {
            let now = ContinuousClock.now
            switch state.permit(now: now) {
            case .send, .probe: return true
            case .wait(let until):
                guard until <= deadline else { return false }
                try? await Task.sleep(until: until, clock: .continuous)
            case .waitForProbe:
                guard now + .milliseconds(20) <= deadline else { return false }
                try? await Task.sleep(for: .milliseconds(20))
            }
            if Task.isCancelled { return false }
        }
    }

    func record(success: Bool) {
        let before = state.openings
        state.record(success: success, now: .now)
        if state.openings > before { opened.increment() }
    }

    var snapshot: BreakerState { state }
}
