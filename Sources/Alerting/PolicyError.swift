/// Everything wrong with a policy, each problem with its file, line and key path, reported together
/// so that one edit-and-retry fixes them all.
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One problem: where it is and what was expected.
    public struct Issue: Sendable, Equatable, CustomStringConvertible {
        /// The policy's source: a file path, or another name for policies not read from a file.
        public var file: String
        /// 1-based; 0 when the problem is not tied to a line (an unreadable file, a policy built in code).
        public var line: Int
        /// 1-based; 0 when unknown. Not in `description`, but useful for flow mappings `{ a: 1, b: 2 }`.
        public var column: Int
        /// The key path, like `rules.liquidity_drop.drop_fraction` or `users.42.order_velocity`.
        public var key: String
        public var message: String

        public init(file: String, line: Int, column: Int = 0, key: String, message: String) {
            self.file = file
            self.line = line
            self.column = column
            self.key = key
            self.message = message
        }

        /// `policies/default.yaml:12: rules.liquidity_drop.drop_fraction: expected a number between 0 and 1, got 1.5`
        public var description: String {
            let place = line > 0 ? "\(file):\(line)" : file
            return key.isEmpty ? "\(place): \(message)" : "\(place): \(key): \(message)"
        }
    }

    /// Every problem found, in file order; never empty.
    public var issues: [Issue]

    public init(issues: [Issue]) {
        precondition(!issues.isEmpty, "a PolicyError needs at least one issue")
        self.issues = issues
    }

    public init(file: String, line: Int, column: Int = 0, key: String, message: String) {
        self.issues = [Issue(file: file, line: line, column: column, key: key, message: message)]
    }

    /// The first problem's file.
    public var file: String { issues[0].file }
    /// The first problem's line.
    public var line: Int { issues[0].line }
    /// The first problem's key path.
    public var key: String { issues[0].key }
    /// The first problem's message.
    public var message: String { issues[0].message }

    /// One line per problem.
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
