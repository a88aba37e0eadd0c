import Foundation
import XCTest

/// `--help` of every command, as a user sees it from the built binaries: it prints, and no line carries a stray
/// backslash (a `\\` meant as a line continuation in a discussion prints literally).
final class HelpTextTests: XCTestCase {
    func help(_ binary: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args + ["--help"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The subcommand names listed under `SUBCOMMANDS:` in a help text.
    func subcommands(_ text: String) -> [String] {
        guard let start = text.range(of: "SUBCOMMANDS:") else { return [] }
        var names: [String] = []
        // The list ends at its first blank line; a name sits at two spaces of indent, wrapped abstracts further in.
        for line in text[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropFirst() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { break }
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first,
                  name.allSatisfy({ $0.isLowercase || $0 == "-" }) else { continue }
            names.append(String(name))
        }
        return names
    }

    func checkEveryCommand(of tool: String) throws -> Int {
        let binary = TestStack.projectRoot + "/.build/debug/" + tool
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary), "build the executables first (`swift build`)")
        var checked = 0
        var queue: [[String]] = [[]]
        while let path = queue.first, checked < 200 {
            queue.removeFirst()
            let text = try help(binary, path)
            let where_ = ([tool] + path).joined(separator: " ")
            XCTAssertTrue(text.contains("USAGE:"), "\(where_) --help printed no usage:\n\(text)")
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where line.hasSuffix("\\") {
                XCTFail("\(where_) --help line \(n + 1) ends in a backslash: \(line)")
            }
            checked += 1
            queue += subcommands(text).filter { $0 != "help" }.map { path + [$0] }
        }
        return checked
    }

    func testEveryRsbenchCommandsHelpPrintsWithoutStrayBackslashes() throws {
        let n = try checkEveryCommand(of: "rsbench")
        // run, validate, replay, record, compare, plan, search, synth, stack (+ its own), bench (+ its own), report.
        XCTAssertGreaterThan(n, 15, "the walk found the subcommands")
    }

    func testEveryRisksignalCommandsHelpPrintsWithoutStrayBackslashes() throws {
        let n = try checkEveryCommand(of: "risksignal")
        XCTAssertGreaterThan(n, 1, "the walk found the subcommands")
    }
}
