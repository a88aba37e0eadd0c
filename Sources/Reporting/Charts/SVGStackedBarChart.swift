import Foundation

/// One bar of a stacked bar chart: a label and its segments, in the chart's segment order.
public struct StackedBar: Sendable, Equatable {
    public var label: String
    /// Values by segment name; a segment missing from a bar counts as zero.
    public var values: [String: Double]

    public init(label: String, values: [String: Double]) {
        self.label = label
        self.values = values
    }
}

/// A small self-contained SVG chart of horizontal stacked bars: where a total (CPU per event, a latency) goes, part by part.
public struct SVGStackedBarChart: Sendable {
    public var id: String
    public var title: String
    public var unit: String
    /// The segment names, in stacking (and legend) order.
    public var segments: [String]
    public var bars: [StackedBar]
    public var width: Double = 760

    public init(id: String, title: String, unit: String, segments: [String], bars: [StackedBar]) {
        self.id = id
        self.title = title
        self.unit = unit
        self.segments = segments
        self.bars = bars
    }

    /// The `<svg>` element; each segment rect carries `data-bar`, `data-segment` and `data-value` so a test or a script can read it back.
    public func render() -> String {
        let left = 150.0, right = 16.0, top = 28.0, barH = 20.0, gap = 10.0
        let plotW = width - left - right
        let plotH = Double(max(bars.count, 1)) * (barH + gap)
        let legendRows = SVGLineChart.legendRows(segments, left: left)
        let height = top + plotH + 36 + Double(legendRows) * 18 + 10
        var svg = "<svg class=\"chart stacked\" data-chart=\"\(Markup.xml(id))\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\" role=\"img\" aria-label=\"\(Markup.xml(title))\">\n"
        svg += "<text class=\"title\" x=\"\(f(left))\" y=\"18\">\(Markup.xml(title))</text>\n"
        svg += "<rect class=\"plot\" fill=\"#fbfbfd\" x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\"/>\n"
        let totals = bars.map { b in segments.reduce(0) { $0 + max(0, b.values[$1] ?? 0) } }
        guard let maxTotal = totals.max(), maxTotal > 0 else {
            svg += "<text class=\"nodata\" x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH / 2))\" text-anchor=\"middle\">no data</text>\n"
            return svg + "</svg>"
        }
        let ticks = AxisTicks.linear(lo: 0, hi: maxTotal, format: Fmt.num)
        let sx = { (v: Double) in left + (v - ticks.lower) / (ticks.upper - ticks.lower) * plotW }
        svg += "<g class=\"axis x\">\n"
        for t in ticks.ticks {
            let x = sx(t.value)
            svg += "<line class=\"grid\" x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + plotH))\"/>"
            svg += "<text x=\"\(f(x))\" y=\"\(f(top + plotH + 16))\" text-anchor=\"middle\">\(Markup.xml(t.label))</text>\n"
        }
        svg += "<text class=\"label\" x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH + 32))\" text-anchor=\"middle\">\(Markup.xml(unit))</text>\n</g>\n"
        for (row, bar) in bars.enumerated() {
            let y = top + gap / 2 + Double(row) * (barH + gap)
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y + barH * 0.7))\" text-anchor=\"end\">\(Markup.xml(bar.label))</text>\n"
            var start = 0.0
            for (i, name) in segments.enumerated() {
                let v = max(0, bar.values[name] ?? 0)
                guard v > 0 else { continue }
                let colour = SVGLineChart.palette[i % SVGLineChart.palette.count]
                svg += "<rect data-bar=\"\(Markup.xml(bar.label))\" data-segment=\"\(Markup.xml(name))\" data-value=\"\(Fmt.num(v))\" x=\"\(f(sx(start)))\" y=\"\(f(y))\" width=\"\(f(sx(start + v) - sx(start)))\" height=\"\(f(barH))\" fill=\"\(colour)\"><title>\(Markup.xml("\(bar.label) · \(name): \(Fmt.num(v)) \(unit)"))</title></rect>"
                start += v
            }
            svg += "<text x=\"\(f(sx(start) + 4))\" y=\"\(f(y + barH * 0.7))\">\(Markup.xml(Fmt.num(start)))</text>\n"
        }
        svg += ChartSVG.legend(segments.enumerated().map { i, name in (name, SVGLineChart.palette[i % SVGLineChart.palette.count]) },
                               left: left, firstBaseline: top + plotH + 52)
        return svg + "</svg>"
    }

    private func f(_ v: Double) -> String { ChartSVG.number(v) }
}
