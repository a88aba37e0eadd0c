/// Which scenario a run executed: its name, file and content hash.
public struct ScenarioRef: Codable, Sendable, Equatable {
    public var name: String
    /// Path of the scenario file as given on the command line.
    public var file: String
    /// Lower-case hex SHA-256 of the scenario file's bytes.
    public var sha256: String

    public init(name: String, file: String, sha256: String) {
        self.name = name
        self.file = file
        self.sha256 = sha256
    }
}
