/// One problem in a scenario file: where it is and what was expected.
public struct ScenarioIssue: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    /// The key path, like `workloads[1].rate.rate`.
    public var key: String
    public var message: String

    public init(file: String, line: Int, column: Int, key: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    public var description: String {
        "\(file):\(line):\(column): \(key.isEmpty ? "" : "\(key): ")\(message)"
    }
}

/// Every problem found in a scenario file (validation reports them all at once).
public struct ScenarioErrors: Error, Sendable, CustomStringConvertible {
    public var issues: [ScenarioIssue]
    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}

/// A parse failure's message, for `Result`s inside the parser (written like a string literal).
public struct Problem: Error, Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public var text: String
    public init(stringLiteral value: String) { text = value }
    public init(stringInterpolation: DefaultStringInterpolation) { text = String(stringInterpolation: stringInterpolation) }
    public var description: String { text }
}
