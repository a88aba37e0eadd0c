/// Runs every detector of a policy over a stream of inputs and applies cooldowns.
///
/// A value type with no clock of its own: every window and cooldown is measured in the inputs'
/// event times, so the same inputs always give the same alerts. Each input costs O(1) amortised
/// (O(log n) for the spread median) and memory per key is bounded by its windows; keys idle for
/// longer than their longest window or cooldown (plus `idleSlack`) are forgotten.
public struct AlertEngine: Sendable {
    /// The policy the engine was built with.
    public let policy: RiskPolicy
    private var books: KeyedStates<String, BookState>
    private var buzz: KeyedStates<String, BuzzState>
    private var users: KeyedStates<UInt64, UserState>
    private var suppressedCounts = Array(repeating: 0, count: AlertRule.allCases.count)
    /// Inputs ingested so far.
    public private(set) var evaluated = 0

    /// Extra event time a key is kept past its horizon before being forgotten. Another key's
    /// event time decides idleness, so this absorbs skew between keys of one stream.
    static let idleSlack: Int64 = 60 * nanosPerSecond

    public init(policy: RiskPolicy) {
        self.policy = policy
        books = KeyedStates()
        buzz = KeyedStates()
        users = KeyedStates()
    }

    /// Alerts suppressed by cooldowns so far, by rule name (every rule present, zero or not).
    public var suppressed: [String: Int] {
        Dictionary(uniqueKeysWithValues: AlertRule.allCases.map { ($0.rawValue, suppressedCounts[$0.index]) })
    }

    /// Feeds one input to the detectors it concerns; returns the alerts it raised (usually none).
    public mutating func ingest(_ input: RiskInput) -> [RiskAlert] {
        evaluated += 1
        var out = AlertOutput(suppressed: suppressedCounts)
        // Clear our copy so `out` holds the only reference and counting into it does not copy.
        suppressedCounts = []
        switch input {
        case .book(let symbol, let eventTime, _, let bids, let asks):
            let policy = self.policy
            let i = books.slot(for: symbol) { BookState(symbol: symbol, policy: policy) }
            books.states[i].ingest(symbol: symbol, time: eventTime, bids: bids, asks: asks, input: input, into: &out)
            books.finishedInput(at: eventTime)
        case .order(let userID, _, _, let status, let eventTime, _):
            let policy = self.policy
            let i = users.slot(for: userID) { UserState(key: RiskPolicy.userKey(userID), policy: policy) }
            users.states[i].ingest(userID: userID, status: status, time: eventTime, input: input, into: &out)
            users.finishedInput(at: eventTime)
        case .post(let symbol, let eventTime, _, let sentiment):
            let policy = self.policy
            let i = buzz.slot(for: symbol) { BuzzState(symbol: symbol, policy: policy) }
            buzz.states[i].ingest(symbol: symbol, time: eventTime, sentiment: sentiment, input: input, into: &out)
            buzz.finishedInput(at: eventTime)
        }
        suppressedCounts = out.suppressed
        return out.alerts
    }

    /// Keys tracked and buffer slots held across all detectors: what the bounded-state tests watch.
    var stateSize: (keys: Int, bufferedEntries: Int) {
        (books.states.count + buzz.states.count + users.states.count,
         books.bufferedEntries + buzz.bufferedEntries + users.bufferedEntries)
    }
}

/// Detector states by key in a dense array, with idle keys swept out.
struct KeyedStates<Key: Hashable & Sendable, State: KeyedDetectorState>: Sendable {
    private var index: [Key: Int] = [:]
    private var keys: [Key] = []
    var states: [State] = []
    private var inputsSinceSweep = 0

    var bufferedEntries: Int { states.reduce(0) { $0 + $1.bufferedEntries } }

    mutating func slot(for key: Key, make: () -> State) -> Int {
        if let i = index[key] { return i }
        index[key] = states.count
        keys.append(key)
        states.append(make())
        return states.count - 1
    }

    /// Sweeps once the inputs since the last sweep reach the number of keys, so a sweep's O(keys)
    /// cost is spread over at least as many inputs. Idleness is judged against the event time of
    /// the input that triggers the sweep rather than the highest time ever seen, so one input
    /// with a far-future timestamp cannot make every other key look idle and wipe the table.
    mutating func finishedInput(at now: Int64) {
        inputsSinceSweep += 1
        if inputsSinceSweep >= Swift.max(4096, states.count) {
            inputsSinceSweep = 0
            sweep(now: now)
        }
    }

    private mutating func sweep(now: Int64) {
        var keep = 0
        for i in states.indices {
            let s = states[i]
            let (limit, overflow) = now.subtractingReportingOverflow(s.horizon &+ AlertEngine.idleSlack)
            if !overflow && s.lastTime < limit { continue }
            if keep != i {
                states[keep] = s
                keys[keep] = keys[i]
            }
            keep += 1
        }
        guard keep < states.count else { return }
        states.removeLast(states.count - keep)
        keys.removeLast(keys.count - keep)
        var fresh: [Key: Int] = [:]
        fresh.reserveCapacity(keep)
        for (i, k) in keys.enumerated() { fresh[k] = i }
        index = fresh
        // removeLast keeps the old capacity; give it back after a crowd of keys has gone.
        if states.capacity > 1024 && keep * 4 < states.capacity {
            states = Array(states)
            keys = Array(keys)
        }
    }
}
