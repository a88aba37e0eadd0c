import Foundation
import Testing
@testable import Reporting

@Suite struct StackedBarChartTests {
    /// Reads back every segment rect's bar, segment, value and width from the rendered SVG.
    func segments(_ svg: String) throws -> [(bar: String, segment: String, value: Double, width: Double)] {
        let regex = try NSRegularExpression(pattern: #"data-bar="([^"]*)" data-segment="([^"]*)" data-value="([^"]*)" x="[^"]*" y="[^"]*" width="([^"]*)""#)
        let ns = svg as NSString
        return regex.matches(in: svg, range: NSRange(location: 0, length: ns.length)).map { m in
            (ns.substring(with: m.range(at: 1)), ns.substring(with: m.range(at: 2)),
             Double(ns.substring(with: m.range(at: 3))) ?? .nan, Double(ns.substring(with: m.range(at: 4))) ?? .nan)
        }
    }

    @Test func segmentsStackInOrderWithWidthsProportionalToValues() throws {
        let chart = SVGStackedBarChart(id: "cpu", title: "CPU per event", unit: "µs", segments: ["rsbench", "nats", "clickhouse"],
                                       bars: [StackedBar(label: "peak", values: ["rsbench": 30, "nats": 10, "clickhouse": 20]),
                                              StackedBar(label: "quarter", values: ["nats": 5])])
        let svg = chart.render()
        let found = try segments(svg)
        #expect(found.map { $0.segment } == ["rsbench", "nats", "clickhouse", "nats"])
        #expect(found.map { $0.bar } == ["peak", "peak", "peak", "quarter"])
        #expect(found.map { $0.value } == [30, 10, 20, 5])
        // Widths keep the values' ratios (within the 0.1 px rounding of the SVG).
        #expect(abs(found[0].width / found[1].width - 3) < 0.05)
        #expect(abs(found[2].width / found[3].width - 4) < 0.1)
        #expect(svg.contains("data-chart=\"cpu\""))
        #expect(svg.contains(">rsbench</text>"))
    }

    @Test func saysNoDataWhenEveryBarIsEmpty() {
        let svg = SVGStackedBarChart(id: "x", title: "t", unit: "ms", segments: ["a"], bars: [StackedBar(label: "b", values: [:])]).render()
        #expect(svg.contains("no data"))
        #expect(!svg.contains("data-segment"))
    }

    @Test func escapesLabels() {
        let svg = SVGStackedBarChart(id: "x", title: "<t>", unit: "ms", segments: ["a&b"], bars: [StackedBar(label: "\"q\"", values: ["a&b": 1])]).render()
        #expect(!svg.contains("<t>"))
        #expect(svg.contains("a&amp;b"))
    }
}
