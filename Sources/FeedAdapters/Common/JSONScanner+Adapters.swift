import MarketData
import RiskSignalCore

/// The adapters' view of `JSONScanner`: structure errors become `AdapterError`s naming the path, and required-field
/// readers name `path + key` and what was expected.
extension JSONScanner {
    /// Runs a scanner step, turning its syntax error into a malformed-message error at `path`.
    @inline(__always)
    func syntax<T>(_ path: @autoclosure () -> String, _ step: () throws(JSONScanError) -> T) throws(AdapterError) -> T {
        do { return try step() } catch { throw AdapterError.malformed(path(), "invalid JSON: \(error)") }
    }

    /// The fields of the message's top-level object; nothing but blanks may follow it.
    func rootObject() throws(AdapterError) -> [JSONField] {
        try syntax("$") { () throws(JSONScanError) in try rootFields() }
    }

    /// The fields of the object at `at`, in message order.
    func fields(_ at: Int, path: @autoclosure () -> String) throws(AdapterError) -> [JSONField] {
        guard isObject(at) else { throw AdapterError.malformed(path(), "expected an object, got \(describe(at))") }
        return try syntax(path()) { () throws(JSONScanError) in try fields(at) }
    }

    /// Calls `body` with the offset of each element of the array at `at` and its index.
    func forEachElement(
        _ at: Int, path: @autoclosure () -> String, _ body: (Int, Int) throws(AdapterError) -> Void
    ) throws(AdapterError) {
        guard isArray(at) else { throw AdapterError.malformed(path(), "expected an array, got \(describe(at))") }
        var i = at
        guard try syntax(path(), { () throws(JSONScanError) in try openArray(&i) }) else { return }
        var index = 0
        repeat {
            let start = i
            try syntax(path()) { () throws(JSONScanError) in try skipValue(&i, depth: 1) }
            try body(start, index)
            index += 1
        } while try syntax(path(), { () throws(JSONScanError) in try nextElement(&i) })
    }

    func need(_ fields: [JSONField], _ key: StaticString, _ path: String) throws(AdapterError) -> Int {
        guard let v = value(fields, key) else { throw AdapterError.missing(path + "\(key)") }
        return v
    }

    func needDouble(_ fields: [JSONField], _ key: StaticString, _ path: String, positive: Bool = true) throws(AdapterError) -> Double {
        let at = try need(fields, key, path)
        guard let v = double(at), v.isFinite, positive ? v > 0 : v >= 0 else {
            throw AdapterError.malformed(path + "\(key)", "expected a \(positive ? "positive" : "non-negative") number or numeric string, got \(describe(at))")
        }
        return v == 0 ? 0 : v
    }

    func needInt(_ fields: [JSONField], _ key: StaticString, _ path: String) throws(AdapterError) -> Int64 {
        let at = try need(fields, key, path)
        guard let v = int64(at) else {
            throw AdapterError.malformed(path + "\(key)", "expected a non-negative integer below 2^63, got \(describe(at))")
        }
        return v
    }

    func needString(_ fields: [JSONField], _ key: StaticString, _ path: String) throws(AdapterError) -> Range<Int> {
        let at = try need(fields, key, path)
        guard let r = stringRange(at), !r.isEmpty else { throw AdapterError.malformed(path + "\(key)", "expected a non-empty string, got \(describe(at))") }
        return r
    }

    /// Epoch milliseconds (Binance `E`/`T`, Bybit `ts`) as nanoseconds.
    func needMillis(_ fields: [JSONField], _ key: StaticString, _ path: String) throws(AdapterError) -> Int64 {
        let ms = try needInt(fields, key, path)
        guard ms < 9_000_000_000_000 else { throw AdapterError.malformed(path + "\(key)", "expected epoch milliseconds, got \(ms)") }
        return ms * 1_000_000
    }

    /// Coinbase and BitMEX times, in any form `ISO8601` accepts.
    func needISOTime(_ fields: [JSONField], _ key: StaticString, _ path: String) throws(AdapterError) -> Int64 {
        let at = try need(fields, key, path)
        guard let r = stringRange(at), let t = ISO8601.nanos(buf, r) else {
            throw AdapterError.malformed(path + "\(key)", "expected an ISO-8601 time like 2021-04-17T16:43:37.089723Z, got \(describe(at))")
        }
        return t
    }

    /// `[[price, qty], ...]` with numbers or numeric strings; extra elements per level (Binance's old "ignore") are skipped.
    func levels(_ at: Int, _ path: String) throws(AdapterError) -> [PriceLevel] {
        var out: [PriceLevel] = []
        try forEachElement(at, path: path) { (el, index) throws(AdapterError) in
            guard isArray(el) else { throw AdapterError.malformed("\(path)[\(index)]", "expected a [price, quantity] pair, got \(describe(el))") }
            var price = Double.nan, qty = Double.nan
            try forEachElement(el, path: "\(path)[\(index)]") { (v, slot) throws(AdapterError) in
                if slot < 2 {
                    guard let d = double(v), d.isFinite, slot == 0 ? d > 0 : d >= 0 else {
                        throw AdapterError.malformed("\(path)[\(index)][\(slot)]", "expected a \(slot == 0 ? "positive price" : "non-negative quantity"), got \(describe(v))")
                    }
                    if slot == 0 { price = d } else { qty = d == 0 ? 0 : d }
                }
            }
            guard !qty.isNaN else { throw AdapterError.malformed("\(path)[\(index)]", "expected a [price, quantity] pair, got fewer than 2 elements") }
            out.append(PriceLevel(price: price, quantity: qty))
        }
        return out
    }
}
