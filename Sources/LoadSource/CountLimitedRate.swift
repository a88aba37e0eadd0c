/// Another rate model's first `count` arrivals, then the end: `risksignal produce --count`.
public struct CountLimitedRate: RateModel {
    public let count: Int
    private var base: any RateModel
    private var handedOut = 0

    public init(_ base: any RateModel, count: Int) throws(GeneratorParameterError) {
        guard count >= 0 else { throw .init(parameter: "count", message: "must be zero or more, got \(count)") }
        self.base = base
        self.count = count
    }

    public mutating func nextArrival(after t: Int64) -> Int64? {
        guard handedOut < count, let at = base.nextArrival(after: t) else { return nil }
        handedOut += 1
        return at
    }

    public func expectedRate(at t: Int64) -> Double { handedOut < count ? base.expectedRate(at: t) : 0 }
}
