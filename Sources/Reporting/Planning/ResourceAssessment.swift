/// How one resource's need at the target rate compares with the single-node range.
public struct ResourceAssessment: Sendable, Equatable, Codable {
    /// The resources the plan sizes.
    public enum Resource: String, Sendable, Codable, CaseIterable {
        case cpu, ram, disk
    }

    /// Where the need falls relative to the sizing range.
    public enum Fit: String, Sendable, Codable {
        /// At or below the lower target.
        case withinLower = "within-lower"
        /// Above the lower target, at or below the upper one.
        case withinUpper = "within-upper"
        /// Above the upper target: one node of the target size is not enough.
        case exceeds
    }

    public var resource: Resource
    public var need: Double
    /// `cores`, `GiB` or `TB`.
    public var unit: String
    public var lowerTarget: Double
    public var upperTarget: Double
    /// need ÷ upper target; the highest one runs out first.
    public var ratioToUpper: Double
    public var fit: Fit
    /// Events/s at which this resource reaches its upper target (infinity if it never does).
    public var maxRateAtUpper: Double
}
