import RiskSignalCore

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The market symbols a generator draws from, most popular first, with the price grid of each.
/// Every generator built from the same list agrees on starting prices and grids (they come from the symbol,
/// not the seed), so trades, orders and books of one scenario quote the same markets at the same levels.
struct SymbolUniverse: Sendable {
    /// Well-known pairs and rough prices, used for the head of the default list so dashboards read naturally.
    static let majors: [(String, Double)] = [
        ("BTC-USDT", 65_000), ("ETH-USDT", 3_200), ("SOL-USDT", 150), ("BNB-USDT", 580), ("XRP-USDT", 0.55),
        ("DOGE-USDT", 0.15), ("ADA-USDT", 0.45), ("AVAX-USDT", 35), ("LINK-USDT", 15), ("TON-USDT", 6.5),
    ]

    /// `count` symbols: the majors first, then `SYM011-USDT`, `SYM012-USDT`… (the number is the popularity rank).
    static func defaultSymbols(count: Int) -> [String] {
        (0..<count).map { i in
            if i < majors.count { return majors[i].0 }
            let n = String(i + 1)
            return "SYM" + String(repeating: "0", count: max(0, 3 - n.count)) + n + "-USDT"
        }
    }

    let names: [String]
    let infos: [SymbolInfo]

    init(names: [String]) {
        self.names = names
        infos = names.map(SymbolInfo.init(symbol:))
    }

    var count: Int { names.count }

    func index(of symbol: String) -> Int? { names.firstIndex(of: symbol) }
}

/// One symbol's starting price, tick and lot grid, and the pre-encoded text that goes into every payload.
struct SymbolInfo: Sendable {
    let symbol: String
    /// The base asset (`BTC` of `BTC-USDT`), as posts and pages mention it.
    let base: String
    let initialPrice: Double
    /// Prices are integers in units of 10^-priceDecimals; one tick is `tickUnits` units.
    let priceDecimals: Int
    let tickUnits: Int64
    /// Quantities are integers in lots of 10^-quantityDecimals.
    let quantityDecimals: Int
    /// `"BTC-USDT"` with its quotes, ready to copy into a payload.
    let quotedSymbol: [UInt8]
    let symbolBytes: [UInt8]

    init(symbol: String) {
        self.symbol = symbol
        base = String(symbol.split(separator: "-", maxSplits: 1).first ?? Substring(symbol))
        if let known = SymbolUniverse.majors.first(where: { $0.0 == symbol }) {
            initialPrice = known.1
        } else {
            // Anything else gets a price between 0.01 and 1000, log-uniform, fixed by the name.
            var r = SplitMix64(seed: stableHash(symbol))
            let u = Double(r.next() >> 11) * 0x1p-53
            initialPrice = pow(10, -2 + 5 * u)
        }
        // A tick of about 1e-4 of the price, rounded down to a power of ten: 0.01 near 100, 0.1 near 1000.
        let magnitude = Int(floor(log10(initialPrice)))
        let tickExponent = magnitude - 4
        if tickExponent < 0 {
            priceDecimals = min(-tickExponent, 12)
            tickUnits = 1
        } else {
            priceDecimals = 0
            tickUnits = Pow10.ints[min(tickExponent, 18)]
        }
        // A lot worth roughly 0.1–1 quote units: 0.00001 BTC, 0.001 SOL, 1 DOGE.
        quantityDecimals = max(0, min(8, magnitude + 1))
        quotedSymbol = quotedBytes(symbol)
        symbolBytes = utf8(symbol)
    }

    /// The price of `ticks` as a double equal to what a JSON parser reads from the printed price.
    @inline(__always) func price(ticks: Int64) -> Double { decimalValue(ticks * tickUnits, decimals: priceDecimals) }

    @inline(__always) func quantity(lots: Int64) -> Double { decimalValue(lots, decimals: quantityDecimals) }

    var tickSize: Double { decimalValue(tickUnits, decimals: priceDecimals) }

    var lotSize: Double { decimalValue(1, decimals: quantityDecimals) }

    @inline(__always) func writePrice(ticks: Int64, to w: inout PayloadWriter) {
        w.fixed(ticks * tickUnits, decimals: priceDecimals)
    }

    @inline(__always) func writeQuantity(lots: Int64, to w: inout PayloadWriter) {
        w.fixed(lots, decimals: quantityDecimals, trimZeros: true)
    }

    /// Nearest whole tick count of a price.
    @inline(__always) func ticks(price: Double) -> Int64 { Int64((price / tickSize).rounded()) }

    @inline(__always) func lots(quantity: Double) -> Int64 { max(1, Int64((quantity / lotSize).rounded())) }
}
