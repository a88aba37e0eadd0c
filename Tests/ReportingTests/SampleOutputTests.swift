import Foundation
import Testing
@testable import Reporting

@Suite struct SampleOutputTests {
    /// Writes a sample report directory when RS_SAMPLE_DIR is set, for eyeballing the outputs.
    @Test func writeSampleWhenAsked() throws {
        guard let path = ProcessInfo.processInfo.environment["RS_SAMPLE_DIR"] else { return }
        try ReportDirectory(root: URL(fileURLWithPath: path)).write(Fixtures.report())
    }
}
