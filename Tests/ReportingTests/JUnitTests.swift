import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Reporting

/// Collects what the JUnit tests need from the parsed XML.
final class JUnitProbe: NSObject, XMLParserDelegate {
    var testcases: [String] = []
    var failures = 0
    var errors = 0
    var suiteAttributes: [String: String] = [:]

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch name {
        case "testcase": testcases.append(attributes["name"] ?? "")
        case "failure": failures += 1
        case "error": errors += 1
        case "testsuite": suiteAttributes = attributes
        default: break
        }
    }
}

@Suite struct JUnitTests {
    @Test func gatesBecomeTestcasesAndParseBack() throws {
        let report = Fixtures.report()
        let xml = try JUnitWriter().renderString(report)
        #expect(xml.contains("name=\"e2e_lag.p99 &lt; 500ms\""))
        #expect(xml.contains("&amp; &quot;quoted&quot;"))
        #expect(!xml.contains("p99 < 500ms"))

        let probe = JUnitProbe()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = probe
        #expect(parser.parse(), "XML not well-formed: \(String(describing: parser.parserError))")
        #expect(probe.testcases.count == report.gates.count)
        #expect(probe.testcases.first == "e2e_lag.p99 < 500ms") // unescaped by the parser
        #expect(probe.failures == 1)
        #expect(probe.errors == 1) // the missing metric
        #expect(probe.suiteAttributes["tests"] == "3")
        #expect(probe.suiteAttributes["failures"] == "1")
        #expect(probe.suiteAttributes["timestamp"] == "2025-01-01T12:00:00Z")
        #expect(xml.contains("measured 612 ms, threshold &lt; 500 ms"))
    }

    @Test func allPassingGatesHaveNoFailures() throws {
        let gates = (0..<5).map { GateResult(expression: "lost == \($0)", metric: "lost", measured: 0, unit: "", comparison: "==", threshold: 0, verdict: .pass) }
        let xml = try JUnitWriter().renderString(Fixtures.report(gates: gates, status: .pass))
        let probe = JUnitProbe()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = probe
        #expect(parser.parse())
        #expect(probe.testcases.count == 5)
        #expect(probe.failures == 0 && probe.errors == 0)
    }

    @Test func invalidRunAddsAnErrorCase() throws {
        let xml = try JUnitWriter().renderString(Fixtures.report(gates: [], status: .invalid))
        let probe = JUnitProbe()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = probe
        #expect(parser.parse())
        #expect(probe.testcases == ["run"])
        #expect(probe.errors == 1)
    }

    @Test func gateTableIsShared() {
        let rows = GateTable(Fixtures.defaultGates).rows
        #expect(rows[0].measured == "612 ms")
        #expect(rows[0].threshold == "< 500 ms")
        #expect(rows[2].measured == "—")
        #expect(GateTable(Fixtures.defaultGates).markdown().contains("| ❌ FAIL | `e2e_lag.p99 < 500ms` | 612 ms | < 500 ms |"))
    }
}
