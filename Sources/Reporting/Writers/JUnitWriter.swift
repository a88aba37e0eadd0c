import Foundation

/// Writes `junit.xml`: one test case per gate so CI systems show gate failures as test failures.
public struct JUnitWriter: ReportWriter {
    public let fileName = "junit.xml"
    public init() {}

    public func render(_ report: RunReport) throws -> [UInt8] {
        Array(xml(report).utf8)
    }

    public func xml(_ report: RunReport) -> String {
        let table = GateTable(report.gates)
        let suite = "rsbench.\(report.scenario.name)"
        let timestamp = ISO8601DateFormatter().string(from: report.startedAt)
        // A missing metric is an error, not a failure: the gate could not be evaluated at all.
        // A run that errored or went invalid with no gates still needs a visible red entry.
        let runProblem = [.invalid, .error, .aborted].contains(report.verdict.status)
        let tests = table.rows.count + (runProblem ? 1 : 0)
        let errors = table.missing + (runProblem ? 1 : 0)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"rsbench\" tests=\"\(tests)\" failures=\"\(table.failures)\" errors=\"\(errors)\" time=\"\(seconds(report.durationSeconds))\">\n"
        out += "  <testsuite name=\"\(Markup.xml(suite))\" tests=\"\(tests)\" failures=\"\(table.failures)\" errors=\"\(errors)\" skipped=\"0\" time=\"\(seconds(report.durationSeconds))\" timestamp=\"\(timestamp)\" hostname=\"\(Markup.xml(report.environment.hostname))\">\n"
        out += "    <properties>\n"
        for (k, v) in [("scenario.file", report.scenario.file), ("scenario.sha256", report.scenario.sha256), ("verdict", report.verdict.status.rawValue), ("rsbench.version", report.environment.rsbenchVersion)] {
            out += "      <property name=\"\(Markup.xml(k))\" value=\"\(Markup.xml(v))\"/>\n"
        }
        out += "    </properties>\n"
        if runProblem {
            let message = report.verdict.status == .invalid ? "run invalid: " + (report.invalidReasons.first ?? "rsbench could not hold the schedule") : report.verdict.status == .aborted ? "run aborted" : "run error"
            out += "    <testcase classname=\"\(Markup.xml(suite))\" name=\"run\" time=\"0\">\n"
            out += "      <error message=\"\(Markup.xml(message))\" type=\"\(report.verdict.status.rawValue)\">\(Markup.xml(report.verdict.reasons.joined(separator: "\n")))</error>\n"
            out += "    </testcase>\n"
        }
        for row in table.rows {
            out += "    <testcase classname=\"\(Markup.xml(suite)).gates\" name=\"\(Markup.xml(row.expression))\" time=\"0\">\n"
            switch row.verdict {
            case .pass:
                out += "      <system-out>\(Markup.xml(row.explanation))</system-out>\n"
            case .fail:
                out += "      <failure message=\"\(Markup.xml(row.explanation))\" type=\"gate\">\(Markup.xml("gate `\(row.expression)` failed: \(row.explanation)"))</failure>\n"
            case .missing:
                out += "      <error message=\"\(Markup.xml(row.explanation))\" type=\"missing-metric\"/>\n"
            }
            out += "    </testcase>\n"
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }

    private func seconds(_ s: Double) -> String { String(format: "%.3f", s.isFinite ? s : 0) }
}
