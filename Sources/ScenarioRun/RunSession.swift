import ClickHouse
import JetStream
import Pipeline
import RiskSignalCore

/// The connections of one run (ClickHouse, NATS, JetStream admin), opened on its target.
struct RunSession: Sendable {
    let ch: ClickHouseClient
    let nats: NATSConnection
    let admin: JetStreamContext
    let database: String

    static func open(_ target: RunTarget, database: String) async throws -> RunSession {
        var c = target.connection
        c.clickHouseDatabase = database
        let ch = ClickHouseClient(ClickHouseClientConfig(c))
        do {
            let nats = try await NATSConnection.connect(NATSConnectionOptions(c, name: "rsbench"))
            return RunSession(ch: ch, nats: nats, admin: try nats.jetStream(), database: database)
        } catch {
            await ch.shutdown()
            throw error
        }
    }

    /// A clean slate: the run's database, migrated, and the streams (recreated on the local stack, with their durables).
    /// Returns the messages each stream already holds (a stream kept from an earlier run is not emptied), so the
    /// reconciliation counts only this run's messages.
    @discardableResult
    func resetDatabaseAndStreams(recreateStreams: Bool) async throws -> [String: UInt64] {
        try await ch.execute("DROP DATABASE IF EXISTS \(database)", useDatabase: false)
        try await Migrator(client: ch, database: database).migrate()
        var before: [String: UInt64] = [:]
        for s in StreamCatalog.all {
            if recreateStreams { try? await admin.deleteStream(s.name) }
            before[s.name] = try await admin.ensureStream(s).messages
        }
        return before
    }

    func close() async {
        nats.close()
        await ch.shutdown()
    }
}
