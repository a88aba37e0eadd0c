import Foundation

/// One nats-server of the stack: node i has the client, monitoring and route ports of node 0 plus i, its own
/// config file, store and log. A single-node stack keeps the names it always had (service `nats`, `nats-server.conf`).
public struct NATSNode: Sendable, Equatable {
    public var index: Int
    /// The name in `stack.json` and `stack status`: `nats`, or `nats-1`…`nats-N` in a cluster.
    public var service: String
    /// The `server_name` JetStream reports (e.g. as a stream's cluster leader).
    public var serverName: String
    public var clientPort: Int
    public var monitorPort: Int
    /// Route port; nil on a single-node stack, which runs no cluster.
    public var clusterPort: Int?
    public var configFile: String
    public var dataDir: String
    public var log: String

    init(index: Int, of c: StackConfig) {
        let clustered = c.natsNodes > 1
        let name = clustered ? "nats-\(index + 1)" : "nats"
        self.index = index
        service = name
        serverName = clustered ? "rsbench-\(name)" : "rsbench-nats"
        clientPort = c.natsPort + index
        monitorPort = c.natsMonitorPort + index
        clusterPort = clustered ? c.natsClusterPort + index : nil
        configFile = (c.home as NSString).appendingPathComponent(clustered ? "\(name).conf" : "nats-server.conf")
        dataDir = (c.home as NSString).appendingPathComponent(name)
        log = (c.logDir as NSString).appendingPathComponent(clustered ? "\(name).log" : "nats-server.log")
    }
}
