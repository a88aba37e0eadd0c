/// One probe: the offered rate and what came of it.
public struct SearchProbe: Sendable, Codable, Equatable {
    public var rateScale: Double
    public var offeredRate: Double
    public var achievedRate: Double
    public var e2eP50Ms: Double?
    public var e2eP99Ms: Double?
    public var maxPending: Double
    public var maxParts: Int
    public var drained: Bool
    public var status: String
    public var sustainable: Bool
    public var why: [String]

    public init(rateScale: Double, offeredRate: Double, achievedRate: Double, e2eP50Ms: Double?, e2eP99Ms: Double?, maxPending: Double,
                maxParts: Int, drained: Bool, status: String, sustainable: Bool, why: [String]) {
        self.rateScale = rateScale
        self.offeredRate = offeredRate
        self.achievedRate = achievedRate
        self.e2eP50Ms = e2eP50Ms
        self.e2eP99Ms = e2eP99Ms
        self.maxPending = maxPending
        self.maxParts = maxParts
        self.drained = drained
        self.status = status
        self.sustainable = sustainable
        self.why = why
    }
}

