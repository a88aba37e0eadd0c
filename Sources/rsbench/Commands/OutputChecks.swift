import ArgumentParser
import Reporting

/// Checks every output path a command was given, before it does any work; nil entries are flags not given.
/// A problem becomes a usage error that names the flag and what was expected.
func requireWritable(_ outputs: OutputPath?...) throws {
    do { try outputs.compactMap { $0 }.check() } catch { throw ValidationError("\(error)") }
}

extension Optional where Wrapped == String {
    /// The output path this flag names, or nil when it was not given.
    func output(_ flag: String, _ kind: OutputPath.Kind = .file) -> OutputPath? {
        map { OutputPath(flag: flag, path: $0, kind: kind) }
    }
}
