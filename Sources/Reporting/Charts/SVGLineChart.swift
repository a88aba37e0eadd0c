import Foundation

/// A small self-contained SVG line chart: axes with tick labels, a legend, one polyline per series.
public struct SVGLineChart: Sendable {
    public var id: String
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xScale: AxisScale
    public var series: [ChartSeries]
    public var width: Double = 760
    public var height: Double = 300

    /// Colour-blind-friendly palette (Okabe–Ito); cycles when there are more series.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

    public init(id: String, title: String, xLabel: String, yLabel: String, xScale: AxisScale = .linear, series: [ChartSeries]) {
        self.id = id
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.series = series
    }

    /// The `<svg>` element, without an XML namespace URL so the HTML stays free of external references.
    public func render() -> String {
        let left = 64.0, right = 16.0, top = 28.0, bottom = 44.0
        let legendRows = series.isEmpty ? 0 : Self.legendRows(series.map(\.name), left: 64)
        let legendHeight = Double(legendRows) * 18 + 10
        let totalHeight = height + legendHeight
        let plotW = width - left - right, plotH = height - top - bottom
        var svg = "<svg class=\"chart\" data-chart=\"\(Markup.xml(id))\" viewBox=\"0 0 \(f(width)) \(f(totalHeight))\" width=\"\(f(width))\" height=\"\(f(totalHeight))\" role=\"img\" aria-label=\"\(Markup.xml(title))\">\n"
        svg += "<text class=\"title\" x=\"\(f(left))\" y=\"18\">\(Markup.xml(title))</text>\n"

        let drawable = series.map { (series: $0, points: $0.drawablePoints.map { ChartPoint(x: xScale.transform($0.x), y: $0.y) }) }
        let all = drawable.flatMap(\.points)
        svg += "<rect class=\"plot\" fill=\"#fbfbfd\" x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\"/>\n"
        guard !all.isEmpty else {
            svg += "<text class=\"nodata\" x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH / 2))\" text-anchor=\"middle\">no data</text>\n"
            svg += legend(top: height, left: left, drawable: drawable.map { ($0.series, $0.points.isEmpty) })
            return svg + "</svg>"
        }

        let xTicks: AxisTicks
        switch xScale {
        case .linear:
            xTicks = AxisTicks.linear(lo: all.map(\.x).min()!, hi: all.map(\.x).max()!, format: Fmt.num)
        case .percentile:
            xTicks = AxisTicks.percentile(decades: Int(ceil(all.map(\.x).max()!)))
        }
        let yMin = min(0, all.map(\.y).min()!)
        let yTicks = AxisTicks.linear(lo: yMin, hi: all.map(\.y).max()!, format: Fmt.num)
        let sx = { (x: Double) in left + (x - xTicks.lower) / (xTicks.upper - xTicks.lower) * plotW }
        let sy = { (y: Double) in top + plotH - (y - yTicks.lower) / (yTicks.upper - yTicks.lower) * plotH }

        svg += "<g class=\"axis x\">\n"
        for t in xTicks.ticks {
            let x = sx(t.value)
            svg += "<line class=\"grid\" x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + plotH))\"/>"
            svg += "<text x=\"\(f(x))\" y=\"\(f(top + plotH + 16))\" text-anchor=\"middle\">\(Markup.xml(t.label))</text>\n"
        }
        svg += "<text class=\"label\" x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH + 34))\" text-anchor=\"middle\">\(Markup.xml(xLabel))</text>\n</g>\n"
        svg += "<g class=\"axis y\">\n"
        for t in yTicks.ticks {
            let y = sy(t.value)
            svg += "<line class=\"grid\" x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y))\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(Markup.xml(t.label))</text>\n"
        }
        svg += "<text class=\"label\" transform=\"translate(14 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(Markup.xml(yLabel))</text>\n</g>\n"

        for (i, d) in drawable.enumerated() where !d.points.isEmpty {
            let colour = Self.palette[i % Self.palette.count]
            let pts = d.points.map { "\(f(sx($0.x))),\(f(sy($0.y)))" }.joined(separator: " ")
            svg += "<polyline data-series=\"\(Markup.xml(d.series.name))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.6\" points=\"\(pts)\"/>\n"
        }
        svg += legend(top: height, left: left, drawable: drawable.map { ($0.series, $0.points.isEmpty) })
        return svg + "</svg>"
    }

    /// Rows the legend needs when its entries flow and wrap as `legend` lays them out (labels may grow by " (no data)").
    static func legendRows(_ names: [String], left: Double) -> Int {
        var x = left, rows = 1
        for n in names {
            let w = 16 + Double(n.count + 10) * 6.5 + 18
            if x > left, x + w > left + 680 { x = left; rows += 1 }
            x += w
        }
        return rows
    }

    private func legend(top: Double, left: Double, drawable: [(ChartSeries, Bool)]) -> String {
        // Below the x-axis label, which sits at height − 10.
        ChartSVG.legend(drawable.enumerated().map { i, d in (d.0.name + (d.1 ? " (no data)" : ""), Self.palette[i % Self.palette.count]) },
                        left: left, firstBaseline: top + 12)
    }

    private func f(_ v: Double) -> String { ChartSVG.number(v) }
}
