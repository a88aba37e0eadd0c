/// Venue symbols to our `BASE-QUOTE` form (upper-case letters and digits, one dash, at most 32 characters).
///
/// Conventions, one spelling per market since the symbol is a bus subject token and a table key:
/// - Already dashed (Coinbase `BTC-USD`), or with `/` or `_` between two assets: kept, upper-cased.
/// - Concatenated (Binance, Bybit `BTCUSDT`): split on the longest known quote asset that is a suffix and leaves
///   a non-empty base. Unknown quote → error (pass a longer `quoteAssets` list to the adapter).
/// - Contract suffixes stay on the base, the quote stays the quote currency: Binance `BTCUSDT_240628` → `BTC240628-USDT`,
///   `BTCUSD_PERP` → `BTCPERP-USD`; BitMEX `XBTUSDTZ24` → `XBTZ24-USDT`, and root-only futures (`XBTZ24`) get
///   `defaultQuote` (USD for BitMEX, whose legacy futures are USD-quoted): `XBTZ24-USD`.
/// - Equities (IEX `AAPL`): `AAPL-USD`; a character outside A-Z0-9 (`BRK.B`) is written as its two hex digits
///   (`BRK2EB-USD`), which keeps distinct tickers distinct.
public struct SymbolNormalizer: Sendable, Hashable {
    /// Known quote assets, longest first so the longest suffix wins (`TUSD` before `USD`, `FDUSD` before `USD`).
    public let quoteAssets: [String]

    /// Binance spot/futures quote assets (2024); extend for new listings.
    public static let binanceQuotes = [
        "USDT", "USDC", "BUSD", "FDUSD", "TUSD", "USDP", "DAI", "BTC", "ETH", "BNB", "EUR", "TRY", "GBP", "AUD",
        "BRL", "RUB", "UAH", "BIDR", "IDRT", "NGN", "ZAR", "PLN", "RON", "ARS", "JPY", "MXN", "COP", "CZK",
        "XRP", "DOGE", "TRX", "DOT", "PAX", "USD", "AEUR", "EURI",
    ]
    /// Bybit v5 spot/linear/inverse quote assets.
    public static let bybitQuotes = ["USDT", "USDC", "USDE", "USD", "EUR", "BRL", "TRY", "BTC", "ETH", "DAI", "MNT"]
    /// BitMEX quote (settlement/quote) currencies.
    public static let bitmexQuotes = ["USDT", "USDC", "USD", "EUR", "XBT", "ETH"]

    public init(quoteAssets: [String]) {
        self.quoteAssets = quoteAssets.map { $0.uppercased() }.sorted { $0.utf8.count > $1.utf8.count }
    }

    /// `BTC-USD`, `btc/usd`, `BTC_USD` → `BTC-USD`; nil if it is not two alphanumeric assets.
    public static func dashed(_ raw: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.utf8.count)
        var separators = 0
        for c in raw.utf8 {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): out.append(c - 32)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): out.append(c)
            case UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "_"):
                separators += 1
                out.append(UInt8(ascii: "-"))
            default: return nil
            }
        }
        guard separators == 1, out.first != UInt8(ascii: "-"), out.last != UInt8(ascii: "-"), out.count <= 32 else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// `BTCUSDT` → `BTC-USDT` by the longest known quote suffix; `_SUFFIX` contract tags join the base.
    public func split(_ raw: String) -> String? {
        let upper = raw.uppercased()
        var pair = Substring(upper)
        var contract = ""
        if let underscore = upper.firstIndex(of: "_") {
            pair = upper[..<underscore]
            contract = String(upper[upper.index(after: underscore)...])
        }
        guard Self.isAlnum(pair), Self.isAlnum(contract) else { return nil }
        for quote in quoteAssets where pair.count > quote.count && pair.hasSuffix(quote) {
            let base = pair.dropLast(quote.count)
            let symbol = base + contract + "-" + quote
            return symbol.utf8.count <= 32 ? symbol : nil
        }
        return nil
    }

    /// BitMEX: perpetuals like `split`; a trailing futures month code and year (`Z24`) moves onto the base.
    public func bitmex(_ raw: String, defaultQuote: String = "USD") -> String? {
        let upper = raw.uppercased()
        let bytes = Array(upper.utf8)
        var expiry = ""
        var root = upper
        if bytes.count > 3, Self.monthCodes.contains(bytes[bytes.count - 3]),
           bytes[bytes.count - 2] &- UInt8(ascii: "0") < 10, bytes[bytes.count - 1] &- UInt8(ascii: "0") < 10 {
            expiry = String(upper.suffix(3))
            root = String(upper.dropLast(3))
        }
        guard Self.isAlnum(Substring(root)), !root.isEmpty else { return nil }
        if let perp = split(root) {
            // XBTUSDTZ24 → XBT-USDT → XBTZ24-USDT
            guard let dash = perp.firstIndex(of: "-") else { return nil }
            return perp[..<dash] + expiry + perp[dash...]
        }
        guard !expiry.isEmpty else { return nil }
        return root + expiry + "-" + defaultQuote
    }

    /// US equity tickers: `AAPL` → `AAPL-USD`; punctuation as hex (`BRK.B` → `BRK2EB-USD`).
    public static func equity(_ raw: String, quote: String = "USD") -> String? {
        var out: [UInt8] = []
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        for c in raw.utf8 {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): out.append(c - 32)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): out.append(c)
            case 0x21...0x7E:
                out.append(hex[Int(c >> 4)])
                out.append(hex[Int(c & 0xF)])
            default: return nil
            }
        }
        guard !out.isEmpty, out.count + 1 + quote.utf8.count <= 32 else { return nil }
        return String(decoding: out, as: UTF8.self) + "-" + quote
    }

    private static let monthCodes: Set<UInt8> = Set("FGHJKMNQUVXZ".utf8)

    private static func isAlnum(_ s: Substring) -> Bool {
        s.utf8.allSatisfy { ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
    }

    private static func isAlnum(_ s: String) -> Bool { isAlnum(Substring(s)) }
}

/// Remembers raw venue symbol bytes → normalised symbol, so the hot path neither allocates a String per message
/// nor re-runs the suffix search. Linear search: a connection carries a handful to a few hundred symbols.
struct SymbolCache: Sendable {
    private var raws: [[UInt8]] = []
    /// Slot of each raw spelling: `btc-usd` and `BTC-USD` share one, so per-symbol state is per market.
    private var slotOfRaw: [Int] = []
    private var names: [String] = []

    /// Number of distinct normalised symbols (slots).
    var count: Int { names.count }

    /// The symbol's slot (stable, dense from 0, for per-symbol state arrays) and normalised name.
    mutating func lookup(
        _ buf: UnsafeRawBufferPointer, _ range: Range<Int>, normalize: (String) -> String?
    ) -> (index: Int, symbol: String)? {
        let n = range.count
        outer: for k in raws.indices where raws[k].count == n {
            let r = raws[k]
            for j in 0..<n where r[j] != buf[range.lowerBound + j] { continue outer }
            return (slotOfRaw[k], names[slotOfRaw[k]])
        }
        let bytes = Array(UnsafeRawBufferPointer(rebasing: buf[range]))
        guard let symbol = normalize(String(decoding: bytes, as: UTF8.self)) else { return nil }
        let slot = names.firstIndex(of: symbol) ?? names.count
        if slot == names.count { names.append(symbol) }
        raws.append(bytes)
        slotOfRaw.append(slot)
        return (slot, symbol)
    }
}
