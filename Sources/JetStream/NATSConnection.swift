import CNATS
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import RiskSignalCore

/// How to reach and log in to NATS; built from `ConnectionConfig` or by hand.
public struct NATSConnectionOptions: Sendable {
    public var urls: [String]
    public var name: String
    public var user: String?
    public var password: String?
    public var token: String?
    public var tlsCAFile: String?
    public var tlsCertFile: String?
    public var tlsKeyFile: String?
    public var tlsSkipVerify: Bool = false
    public var secure: Bool = false
    /// How long one connection attempt may take before the next URL is tried.
    public var connectTimeout: Duration = .seconds(2)
    /// Reconnect attempts after a lost connection (-1: forever).
    public var maxReconnect: Int = -1
    public var reconnectWait: Duration = .milliseconds(250)
    /// Bytes buffered while reconnecting; publishes beyond it fail instead of growing memory.
    public var reconnectBufferBytes: Int = 64 * 1024 * 1024

    public init(urls: [String], name: String) {
        self.urls = urls
        self.name = name
    }

    public init(_ c: ConnectionConfig, name: String) {
        self.init(urls: c.natsURLs, name: name)
        user = c.natsUser
        password = c.natsPassword
        token = c.natsToken
        tlsCAFile = c.natsTLSCA
        tlsCertFile = c.natsTLSCert
        tlsKeyFile = c.natsTLSKey
        secure = c.natsTLSEnabled
    }
}

/// One connection to a NATS server (or cluster), owning the libnats handle.
public final class NATSConnection: @unchecked Sendable {
    let handle: OpaquePointer

    /// Servers this connection knows: the URLs given and those the cluster announced (a single URL may front a cluster).
    var knownServerCount: Int {
        var servers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        var count: Int32 = 0
        guard natsConnection_GetServers(handle, &servers, &count) == NATS_OK, let servers else { return options.urls.count }
        for i in 0..<Int(count) { free(servers[i]) }
        free(servers)
        return max(Int(count), options.urls.count)
    }
    public let options: NATSConnectionOptions
    /// Control calls (stream admin, info) run here, never on the cooperative pool.
    let lane: BlockingLane

    private init(handle: OpaquePointer, options: NATSConnectionOptions, lane: BlockingLane) {
        self.handle = handle
        self.options = options
        self.lane = lane
    }

    /// Connects, trying each URL; fails with the URLs named within about `connectTimeout` per URL.
    public static func connect(_ options: NATSConnectionOptions) async throws(NATSError) -> NATSConnection {
        let lane = BlockingLane(label: "nats.control.\(options.name)")
        let handle = try await lane.run { () throws(NATSError) -> UnsafeSendable<OpaquePointer> in
            UnsafeSendable(try connectBlocking(options))
        }
        return NATSConnection(handle: handle.value, options: options, lane: lane)
    }

    private static func connectBlocking(_ o: NATSConnectionOptions) throws(NATSError) -> OpaquePointer {
        guard !o.urls.isEmpty else { throw .invalidArgument("no NATS URL given") }
        var opts: OpaquePointer?
        try NATSError.check(natsOptions_Create(&opts), "natsOptions_Create")
        defer { natsOptions_Destroy(opts) }
        let s = try withCStrings(o.urls) { ptrs throws(NATSError) -> natsStatus in
            var p = ptrs
            return natsOptions_SetServers(opts, &p, Int32(p.count))
        }
        guard s == NATS_OK else { throw .connect(urls: o.urls, status: NATSError.statusText(s), detail: NATSError.lastErrorText()) }
        _ = natsOptions_SetName(opts, o.name)
        _ = natsOptions_SetTimeout(opts, Int64(o.connectTimeout.totalMilliseconds))
        _ = natsOptions_SetMaxReconnect(opts, Int32(o.maxReconnect))
        _ = natsOptions_SetReconnectWait(opts, Int64(o.reconnectWait.totalMilliseconds))
        _ = natsOptions_SetReconnectBufSize(opts, Int32(o.reconnectBufferBytes))
        _ = natsOptions_SetNoRandomize(opts, true)
        if let u = o.user { try NATSError.check(natsOptions_SetUserInfo(opts, u, o.password ?? ""), "setting NATS user") }
        if let t = o.token { try NATSError.check(natsOptions_SetToken(opts, t), "setting NATS token") }
        if o.secure || o.tlsCAFile != nil || o.tlsCertFile != nil {
            try NATSError.check(natsOptions_SetSecure(opts, true), "enabling TLS (is libnats built with TLS?)")
            if let ca = o.tlsCAFile { try NATSError.check(natsOptions_LoadCATrustedCertificates(opts, ca), "loading TLS CA file \(ca)") }
            if let cert = o.tlsCertFile, let key = o.tlsKeyFile {
                try NATSError.check(natsOptions_LoadCertificatesChain(opts, cert, key), "loading TLS certificate \(cert) and key \(key)")
            }
            if o.tlsSkipVerify { _ = natsOptions_SkipServerVerification(opts, true) }
        }
        var nc: OpaquePointer?
        let cs = natsConnection_Connect(&nc, opts)
        guard cs == NATS_OK, let conn = nc else {
            throw .connect(urls: o.urls, status: NATSError.statusText(cs), detail: NATSError.lastErrorText())
        }
        return conn
    }

    /// The URL of the server currently connected, if any.
    public var connectedURL: String? {
        var buf = [CChar](repeating: 0, count: 512)
        guard natsConnection_GetConnectedUrl(handle, &buf, buf.count) == NATS_OK else { return nil }
        return String(cString: buf)
    }

    /// The largest message (headers plus body) the connected server accepts, in bytes (1 MiB when unknown).
    public var maxPayload: Int {
        let n = natsConnection_GetMaxPayload(handle)
        return n > 0 ? Int(n) : 1 << 20
    }

    public var isConnected: Bool { natsConnection_Status(handle) == NATS_CONN_STATUS_CONNECTED }

    /// The connection's state in words (`connected`, `reconnecting`, `closed`, …), for health answers.
    public var statusName: String {
        switch natsConnection_Status(handle) {
        case NATS_CONN_STATUS_CONNECTED: "connected"
        case NATS_CONN_STATUS_CONNECTING: "connecting"
        case NATS_CONN_STATUS_RECONNECTING: "reconnecting"
        case NATS_CONN_STATUS_DISCONNECTED: "disconnected"
        case NATS_CONN_STATUS_CLOSED: "closed"
        case NATS_CONN_STATUS_DRAINING_SUBS, NATS_CONN_STATUS_DRAINING_PUBS: "draining"
        default: "unknown"
        }
    }

    /// A JetStream context on this connection; `publishWindow` bounds un-acked async publishes.
    /// The nats.c library's version, as it reports itself.
    public static var libraryVersion: String { String(cString: nats_GetVersion()) }

    public func jetStream(_ options: JetStreamOptions = .init()) throws(NATSError) -> JetStreamContext {
        try JetStreamContext(connection: self, options: options)
    }

    /// Flushes and closes; pending async publishes that were not acked are reported by their context.
    public func close() {
        natsConnection_Close(handle)
    }

    deinit {
        natsConnection_Destroy(handle)
    }
}

/// Wraps a non-Sendable value that is handed across a lane boundary exactly once.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}

/// Calls `body` with C strings for `strings` that stay valid for the call.
func withCStrings<R, E: Error>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) throws(E) -> R) throws(E) -> R {
    let dups = strings.map { strdup($0) }
    defer { dups.forEach { free($0) } }
    return try body(dups.map { UnsafePointer($0) })
}
