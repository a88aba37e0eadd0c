import RiskSignalCore

extension JSONBytes {
    /// `[[price,quantity],…]`: a side of a book as the bus carries it.
    public mutating func levels(_ levels: [PriceLevel]) {
        byte(UInt8(ascii: "["))
        for (k, level) in levels.enumerated() {
            if k > 0 { byte(UInt8(ascii: ",")) }
            byte(UInt8(ascii: "["))
            number(level.price)
            byte(UInt8(ascii: ","))
            number(level.quantity)
            byte(UInt8(ascii: "]"))
        }
        byte(UInt8(ascii: "]"))
    }
}
