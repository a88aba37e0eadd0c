import ArgumentParser
import Foundation
import Reporting

/// The report arguments of `compare` and `plan`: report folders, summary.json files or run-set folders
/// (`rsbench run --repeat`, baselines), comma-separated; a set contributes every run it lists.
enum ReportPaths {
    static func load(_ list: String) throws -> [RunReport] {
        try list.split(separator: ",").flatMap { p in
            do { return try RunSetDirectory.load(from: URL(fileURLWithPath: String(p))) } catch {
                throw ValidationError("\(p): \(error)")
            }
        }
    }
}
