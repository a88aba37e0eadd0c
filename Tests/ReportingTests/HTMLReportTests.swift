import Foundation
import Testing
@testable import Reporting

@Suite struct HTMLReportTests {
    @Test func hasNoExternalReferences() throws {
        let html = try HTMLReportWriter().renderString(Fixtures.report())
        #expect(!html.contains("http://"))
        #expect(!html.contains("https://"))
        #expect(!html.contains("//cdn"))
        #expect(!html.contains("@import"))
        #expect(!html.contains("url("))
        // every src/href must be a fragment or a data: URI
        let regex = try NSRegularExpression(pattern: #"(?:src|href)\s*=\s*["']?([^"'\s>]*)"#, options: [.caseInsensitive])
        let ns = html as NSString
        for m in regex.matches(in: html, range: NSRange(location: 0, length: ns.length)) {
            let target = ns.substring(with: m.range(at: 1))
            #expect(target.hasPrefix("#") || target.hasPrefix("data:"), "external reference \(target)")
        }
        #expect(!html.contains("<script"))
        #expect(!html.contains("<link"))
    }

    /// Issue 17: emoji marks showed as empty boxes in headless Chromium on a machine without emoji fonts.
    @Test func statusMarksAreTextBadgesThatRenderWithoutEmojiFonts() throws {
        let html = try HTMLReportWriter().renderString(Fixtures.report())
        let emoji = html.unicodeScalars.filter { $0.properties.isEmojiPresentation || $0.value == 0xFE0F }
        #expect(emoji.isEmpty, "emoji in report.html: \(String(String.UnicodeScalarView(emoji)))")
        #expect(html.contains(#"<span class="mark bad">loss</span>"#), "the fixture's cross-check lost 10 rows")
        #expect(html.contains(#"<span class="mark "#) && html.contains(".mark.ok"))
    }

    @Test func chartsCarryTheSeriesPoints() throws {
        let report = Fixtures.report()
        let html = try HTMLReportWriter().renderString(report)
        let charts = HTMLReportWriter().charts(for: report)
        #expect(charts.map(\.id) == ["rates", "e2e", "spectrum", "pending", "cpu", "rss"])
        for chart in charts {
            let svg = chart.render()
            #expect(html.contains(svg))
            #expect(svg.contains("<text") && svg.contains("class=\"axis x\"") && svg.contains("class=\"legend\""))
            for series in chart.series {
                let points = try Self.polylinePoints(svg, series: series.name)
                #expect(points.count == series.points.count, "\(chart.id)/\(series.name)")
            }
        }
        // 10 samples per time series, 7 spectrum points
        #expect(try Self.polylinePoints(charts[0].render(), series: "achieved").count == 10)
        #expect(try Self.polylinePoints(charts[2].render(), series: "corrected (from intended send)").count == 7)
        #expect(charts[3].series.map(\.name) == ["alerts", "trades-writer"])
    }

    @Test func pointsAreMonotoneWhereTheDataIs() throws {
        // achieved rate rises every second, so y (SVG, downward) must fall and x must rise
        let svg = HTMLReportWriter().charts(for: Fixtures.report())[0].render()
        let pts = try Self.polylinePoints(svg, series: "achieved")
        for (a, b) in zip(pts, pts.dropFirst()) {
            #expect(b.x > a.x)
            #expect(b.y < a.y)
        }
    }

    @Test func percentileAxisHasDecadeTicks() {
        let svg = HTMLReportWriter().charts(for: Fixtures.report())[2].render()
        for label in [">0%<", ">90%<", ">99%<", ">99.9%<", ">99.99%<"] { #expect(svg.contains(label), "missing tick \(label)") }
    }

    @Test func emptySeriesSaysNoData() throws {
        let report = Fixtures.report(timeSeries: [])
        let charts = HTMLReportWriter().charts(for: report)
        for chart in charts where chart.id != "spectrum" {
            let svg = chart.render()
            #expect(svg.contains("no data"))
            #expect(!svg.contains("<polyline"))
        }
        #expect(try HTMLReportWriter().renderString(report).contains("no data"))
        let partial = SVGLineChart(id: "x", title: "t", xLabel: "x", yLabel: "y", series: [ChartSeries(name: "a", points: [ChartPoint(x: 0, y: 1), ChartPoint(x: 1, y: .nan), ChartPoint(x: 2, y: 3)]), ChartSeries(name: "b", points: [])])
        let svg = partial.render()
        #expect(try Self.polylinePoints(svg, series: "a").count == 2)
        #expect(svg.contains("b (no data)"))
    }

    static func polylinePoints(_ svg: String, series: String) throws -> [(x: Double, y: Double)] {
        let escaped = NSRegularExpression.escapedPattern(for: series.replacingOccurrences(of: "&", with: "&amp;"))
        let regex = try NSRegularExpression(pattern: "<polyline data-series=\"\(escaped)\"[^>]*points=\"([^\"]*)\"")
        let ns = svg as NSString
        guard let m = regex.firstMatch(in: svg, range: NSRange(location: 0, length: ns.length)) else { return [] }
        return ns.substring(with: m.range(at: 1)).split(separator: " ").map { pair in
            let xy = pair.split(separator: ",").map { Double($0)! }
            return (xy[0], xy[1])
        }
    }
}
