import Foundation

/// The pieces every SVG chart draws the same way: numbers with one decimal at most, and a wrapping legend.
enum ChartSVG {
    /// A coordinate or length rounded to 0.1 px, without a trailing ".0".
    static func number(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(format: "%.1f", r)
    }

    /// Legend entries flowing left to right and wrapping at the plot's width, each as wide as its text
    /// (≈ 6.5 px a character at the charts' font size); `firstBaseline` is the first row's text baseline.
    static func legend(_ entries: [(String, String)], left: Double, firstBaseline: Double) -> String {
        var out = "<g class=\"legend\">\n"
        var x = left, row = 0.0
        for (label, colour) in entries {
            let w = 16 + Double(label.count) * 6.5 + 18
            if x > left, x + w > left + 680 { x = left; row += 1 }
            let y = firstBaseline + row * 18
            out += "<rect x=\"\(number(x))\" y=\"\(number(y - 9))\" width=\"12\" height=\"10\" fill=\"\(colour)\"/>"
            out += "<text x=\"\(number(x + 16))\" y=\"\(number(y))\">\(Markup.xml(label))</text>\n"
            x += w
        }
        return out + "</g>\n"
    }
}
