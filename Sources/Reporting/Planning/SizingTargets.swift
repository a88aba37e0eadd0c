/// The single-node sizing range from DESIGN §4: 8–16 cores, 32–64 GB RAM, 1–2 TB NVMe.
public struct SizingTargets: Sendable, Equatable, Codable {
    public var coresLower: Double = 8
    public var coresUpper: Double = 16
    /// GiB.
    public var ramLowerGiB: Double = 32
    /// GiB.
    public var ramUpperGiB: Double = 64
    /// Decimal TB (10¹² bytes), as drives are sold.
    public var diskLowerTB: Double = 1
    /// Decimal TB (10¹² bytes).
    public var diskUpperTB: Double = 2

    public init() {}

    public init(coresLower: Double, coresUpper: Double, ramLowerGiB: Double, ramUpperGiB: Double, diskLowerTB: Double, diskUpperTB: Double) {
        self.coresLower = coresLower
        self.coresUpper = coresUpper
        self.ramLowerGiB = ramLowerGiB
        self.ramUpperGiB = ramUpperGiB
        self.diskLowerTB = diskLowerTB
        self.diskUpperTB = diskUpperTB
    }
}
