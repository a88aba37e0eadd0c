import Foundation
import ClickHouse
import Logging

/// Applies pending migrations and records each in `<db>.schema_migrations`.
public struct Migrator: Sendable {
    public let client: ClickHouseClient
    public let database: String
    public let migrations: [Migration]

    public init(client: ClickHouseClient, database: String, migrations: [Migration]? = nil) {
        self.client = client
        self.database = database
        self.migrations = migrations ?? SchemaMigrations.all(database: database)
    }

    /// Versions applied by this call (empty when the schema was already current).
    @discardableResult
    public func migrate(logger: Logger? = nil) async throws(ClickHouseError) -> [Migration] {
        try await client.execute("CREATE DATABASE IF NOT EXISTS \(database)", useDatabase: false)
        try await client.execute("""
            CREATE TABLE IF NOT EXISTS \(database).schema_migrations
            (version UInt32, name String, applied_at DateTime64(3) DEFAULT now64(3))
            ENGINE = MergeTree() ORDER BY version
            """)
        let done = Set(try await client.rows("SELECT version FROM \(database).schema_migrations").compactMap { row -> Int? in
            if case .int(let v)? = row["version"] { return Int(v) }
            return nil
        })
        var applied: [Migration] = []
        for m in migrations.sorted(by: { $0.version < $1.version }) where !done.contains(m.version) {
            logger?.info("applying migration \(m.version): \(m.name)")
            for s in m.statements { try await client.execute(s) }
            try await client.execute("INSERT INTO \(database).schema_migrations (version, name) VALUES (\(m.version), '\(m.name.replacingOccurrences(of: "'", with: "\\'"))')")
            applied.append(m)
        }
        return applied
    }

    /// The highest applied version, 0 when none.
    public func currentVersion() async throws(ClickHouseError) -> Int {
        Int(try await client.scalarInt("SELECT max(version) FROM \(database).schema_migrations"))
    }
}
