import Foundation

/// Number formatting shared by the writers, so md, html and junit print the same figures.
enum Fmt {
    static func count(_ v: Double) -> String {
        guard v.isFinite else { return "—" }
        if v == v.rounded(), abs(v) < 1e15 { return grouped(Int64(v)) }
        return String(format: "%.1f", v)
    }

    static func grouped(_ v: Int64) -> String {
        let digits = String(v.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return v < 0 ? "-" + out : out
    }

    /// A value with about 3 significant figures and no trailing zeros (`8`, `0.7`, `28.6`, `12.96`).
    static func num(_ v: Double) -> String {
        guard v.isFinite else { return "—" }
        let a = abs(v)
        if a == 0 { return "0" }
        if a >= 100_000 { return count(v.rounded()) }
        let text: String
        if a >= 100 { text = String(format: "%.0f", v) }
        else if a >= 10 { text = String(format: "%.1f", v) }
        else if a >= 1 { text = String(format: "%.2f", v) }
        else { text = String(format: "%.3g", v) }
        return trimZeros(text)
    }

    static func trimZeros(_ s: String) -> String {
        guard s.contains("."), !s.contains("e") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }

    static func ms(_ v: Double) -> String { num(v) }

    static func percent(_ v: Double, signed: Bool = false) -> String {
        guard v.isFinite else { return "—" }
        return String(format: signed ? "%+.1f%%" : "%.1f%%", v)
    }

    static func bytes(_ v: Double) -> String {
        guard v.isFinite else { return "—" }
        let units = ["B", "KB", "MB", "GB", "TB", "PB"]
        var x = v, i = 0
        while abs(x) >= 1000, i < units.count - 1 { x /= 1000; i += 1 }
        return i == 0 ? String(format: "%.0f B", x) : String(format: "%.2f %@", x, units[i])
    }

    static func withUnit(_ v: Double?, _ unit: String) -> String {
        guard let v else { return "—" }
        return unit.isEmpty ? num(v) : "\(num(v)) \(unit)"
    }
}
