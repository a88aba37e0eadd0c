/// One point of a percentile spectrum: percentile in 0...100 and its value in milliseconds.
public struct PercentilePoint: Codable, Sendable, Equatable {
    public var percentile: Double
    public var valueMs: Double

    public init(percentile: Double, valueMs: Double) {
        self.percentile = percentile
        self.valueMs = valueMs
    }
}
