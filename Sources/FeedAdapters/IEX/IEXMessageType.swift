/// IEX DEEP / TOPS message types (first byte of each message), named as counted in `IEXAdapter.counts`.
enum IEXMessageType: UInt8, CaseIterable {
    case systemEvent = 0x53            // 'S'
    case securityDirectory = 0x44      // 'D'
    case tradingStatus = 0x48          // 'H'
    case operationalHalt = 0x4F        // 'O'
    case shortSalePriceTest = 0x50     // 'P'
    case securityEvent = 0x45          // 'E'
    case priceLevelBuy = 0x38          // '8'
    case priceLevelSell = 0x35         // '5'
    case tradeReport = 0x54            // 'T'
    case officialPrice = 0x58          // 'X'
    case tradeBreak = 0x42             // 'B'
    case auctionInformation = 0x41     // 'A'
    case quoteUpdate = 0x51            // 'Q' (TOPS)

    var name: String { "\(self)" }

    /// Bytes a message must have for the fields read from it.
    var minimumLength: Int {
        switch self {
        case .priceLevelBuy, .priceLevelSell: 30
        case .tradeReport, .tradeBreak: 38
        case .quoteUpdate: 42
        default: 1
        }
    }
}
