import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import RiskSignalCore
import Zstd

/// Where ClickHouse is, how to log in, and the client's deadlines.
public struct ClickHouseClientConfig: Sendable {
    /// The HTTP interface, e.g. `http://127.0.0.1:8123`.
    public var url: String
    public var user: String
    public var password: String
    /// Default database for unqualified table names.
    public var database: String
    public var connectTimeout: Duration = .seconds(2)
    public var requestTimeout: Duration = .seconds(30)
    /// Send insert bodies zstd-compressed (`Content-Encoding: zstd`).
    public var compressInserts: Bool = false
    public var compressionLevel: Int32 = 1
    public var maxConnections: Int = 8
    /// PEM CA certificates to verify an `https://` server with; nil uses the system's trust store.
    public var caFile: String?

    public init(url: String, user: String = "default", password: String = "", database: String = "default") {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.user = user
        self.password = password
        self.database = database
    }

    public init(_ c: ConnectionConfig) {
        self.init(url: c.clickHouseURL, user: c.clickHouseUser, password: c.clickHousePassword, database: c.clickHouseDatabase)
        caFile = c.clickHouseCAFile
    }
}

/// What ClickHouse reported about a finished query (`X-ClickHouse-Summary`).
public struct QuerySummary: Sendable, Equatable {
    public var readRows: UInt64 = 0
    public var writtenRows: UInt64 = 0
    public var writtenBytes: UInt64 = 0
    public var elapsedNanos: UInt64 = 0
}

/// A query's raw output in the requested format, with its summary.
public struct QueryResult: Sendable {
    public var body: [UInt8]
    public var summary: QuerySummary
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Rows for one insert, already serialised as JSONEachRow lines.
public struct InsertBatch: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var rowCount = 0

    public init(reservingBytes: Int = 0) { bytes.reserveCapacity(reservingBytes) }

    public mutating func append(row: String) {
        bytes.append(contentsOf: row.utf8)
        bytes.append(0x0A)
        rowCount += 1
    }

    public var isEmpty: Bool { rowCount == 0 }

    /// Appends one row given as bytes (without its newline), e.g. a row taken from another batch.
    public mutating func append(rowBytes: some Collection<UInt8>) {
        bytes.append(contentsOf: rowBytes)
        bytes.append(0x0A)
        rowCount += 1
    }

    /// Where each row sits in `bytes` (newline excluded). JSONEachRow escapes newlines inside values, so a raw
    /// newline always ends a row; computed only when a batch must be split, never on the insert path.
    public var rowRanges: [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(rowCount)
        var start = 0
        for i in bytes.indices where bytes[i] == 0x0A {
            out.append(start..<i)
            start = i + 1
        }
        if start < bytes.count { out.append(start..<bytes.count) }
        return out
    }
}

/// A ClickHouse client over the HTTP interface: queries, DDL, and batch inserts.
public final class ClickHouseClient: Sendable {
    public let config: ClickHouseClientConfig
    private let http: HTTPClient

    public init(_ config: ClickHouseClientConfig) {
        self.config = config
        var c = HTTPClient.Configuration()
        c.timeout = .init(connect: .nanoseconds(config.connectTimeout.totalNanoseconds), read: .nanoseconds(config.requestTimeout.totalNanoseconds))
        c.connectionPool = .init(idleTimeout: .seconds(20), concurrentHTTP1ConnectionsPerHostSoftLimit: config.maxConnections)
        c.decompression = .enabled(limit: .none)
        if let ca = config.caFile {
            // Verification stays on (chain and host name); only the trusted roots change.
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(ca)
            tls.certificateVerification = .fullVerification
            c.tlsConfiguration = tls
        }
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: c)
    }

    /// Closes the connection pool; call once when done.
    public func shutdown() async {
        let client = http
        // Detached: a cancelled caller must still shut the pool down, or its deinit traps.
        await Task.detached { try? await client.shutdown() }.value
    }

    /// Succeeds when the server answers `/ping` with `Ok.`.
    public func ping() async throws(ClickHouseError) {
        let url = config.url + "/ping"
        var req = HTTPClientRequest(url: url)
        req.method = .GET
        let (status, body, _) = try await send(req, url: config.url, query: "")
        guard status == 200, String(decoding: body, as: UTF8.self).hasPrefix("Ok.") else {
            throw .http(status: status, body: String(decoding: body, as: UTF8.self), url: url)
        }
    }

    /// Runs a statement that returns nothing (DDL, `INSERT … SELECT`).
    @discardableResult
    public func execute(_ sql: String, settings: [String: String] = [:], useDatabase: Bool = true) async throws(ClickHouseError) -> QuerySummary {
        try await run(sql: sql, body: nil, settings: settings, useDatabase: useDatabase).summary
    }

    /// Runs a query and returns its output in `format` (JSONEachRow unless the SQL says otherwise).
    public func query(_ sql: String, format: String = "JSONEachRow", settings: [String: String] = [:]) async throws(ClickHouseError) -> QueryResult {
        var s = settings
        s["default_format"] = format
        return try await run(sql: sql, body: nil, settings: s, useDatabase: true)
    }

    /// Runs a query and parses each JSONEachRow line into an object.
    public func rows(_ sql: String, settings: [String: String] = [:]) async throws(ClickHouseError) -> [[String: JSONValue]] {
        var s = settings
        s["output_format_json_quote_64bit_integers"] = s["output_format_json_quote_64bit_integers"] ?? "0"
        let r = try await query(sql, format: "JSONEachRow", settings: s)
        var out: [[String: JSONValue]] = []
        for line in r.body.split(separator: 0x0A) where !line.isEmpty {
            guard case .object(let o)? = try? JSONParser.parse(line) else {
                throw .malformedResponse("expected a JSON object per line, got: \(String(decoding: line.prefix(200), as: UTF8.self))")
            }
            out.append(o)
        }
        return out
    }

    /// The first column of the first row as an integer (for `SELECT count() …`).
    public func scalarInt(_ sql: String) async throws(ClickHouseError) -> Int64 {
        let r = try await query(sql, format: "TabSeparated")
        let t = r.text.split(separator: "\n").first.map(String.init) ?? ""
        guard let v = Int64(t.split(separator: "\t").first ?? "") else {
            throw .malformedResponse("expected an integer from \(sql.prefix(120)), got \"\(t.prefix(80))\"")
        }
        return v
    }

    /// Inserts the batch into `table`; with `deduplicationToken`, a retried identical batch is written once.
    @discardableResult
    public func insert(into table: String, batch: InsertBatch, format: String = "JSONEachRow",
                       deduplicationToken: String? = nil, settings: [String: String] = [:]) async throws(ClickHouseError) -> QuerySummary {
        var s = settings
        if let t = deduplicationToken { s["insert_deduplication_token"] = t }
        return try await run(sql: "INSERT INTO \(table) FORMAT \(format)", body: batch.bytes, settings: s, useDatabase: true).summary
    }

    // MARK: Transport

    private func run(sql: String, body: [UInt8]?, settings: [String: String], useDatabase: Bool) async throws(ClickHouseError) -> QueryResult {
        var params: [(String, String)] = []
        if useDatabase { params.append(("database", config.database)) }
        for (k, v) in settings.sorted(by: { $0.key < $1.key }) { params.append((k, v)) }
        var req: HTTPClientRequest
        if let body {
            // Data goes in the body, the statement in `query=`, as ClickHouse expects for inserts.
            params.append(("query", sql))
            req = HTTPClientRequest(url: config.url + "/?" + Self.encode(params))
            if config.compressInserts {
                let packed: [UInt8]
                do { packed = try Zstd.compress(body, level: config.compressionLevel) } catch {
                    throw .malformedResponse("cannot compress insert body: \(error)")
                }
                req.headers.add(name: "Content-Encoding", value: "zstd")
                req.body = .bytes(ByteBuffer(bytes: packed))
            } else {
                req.body = .bytes(ByteBuffer(bytes: body))
            }
        } else {
            req = HTTPClientRequest(url: config.url + "/?" + Self.encode(params))
            req.body = .bytes(ByteBuffer(string: sql))
        }
        req.method = .POST
        req.headers.add(name: "X-ClickHouse-User", value: config.user)
        if !config.password.isEmpty { req.headers.add(name: "X-ClickHouse-Key", value: config.password) }
        let (status, respBody, headers) = try await send(req, url: config.url, query: sql)
        guard status == 200 else {
            throw ClickHouseError.parse(status: status, body: String(decoding: respBody, as: UTF8.self),
                                        headerCode: headers["x-clickhouse-exception-code"], query: sql, url: config.url)
        }
        return QueryResult(body: respBody, summary: Self.parseSummary(headers["x-clickhouse-summary"]))
    }

    private func send(_ req: HTTPClientRequest, url: String, query: String) async throws(ClickHouseError) -> (Int, [UInt8], [String: String]) {
        do {
            let resp = try await http.execute(req, timeout: .nanoseconds(config.requestTimeout.totalNanoseconds))
            var buf = try await resp.body.collect(upTo: 1 << 30)
            let bytes = buf.readBytes(length: buf.readableBytes) ?? []
            var headers: [String: String] = [:]
            for h in resp.headers where h.name.lowercased().hasPrefix("x-clickhouse") {
                headers[h.name.lowercased()] = h.value
            }
            return (Int(resp.status.code), bytes, headers)
        } catch let e as HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout:
                throw .timeout(url: url, after: config.requestTimeout)
            case .connectTimeout:
                throw .unreachable(url: url, detail: "connect timed out after \(config.connectTimeout)")
            default:
                throw .unreachable(url: url, detail: explain(e))
            }
        } catch {
            throw .unreachable(url: url, detail: explain(error))
        }
    }

    /// Transport error text, with a failed certificate check said plainly and the trust roots named.
    private func explainTLS(_ text: String) -> String? {
        let t = text.lowercased()
        guard t.contains("certificate_verify_failed") || t.contains("certificate verify failed") || t.contains("unable to get local issuer")
                || t.contains("self signed certificate") || t.contains("self-signed certificate") else { return nil }
        return "TLS certificate verify failed: the server's certificate is not signed by \(config.caFile.map { "the CA in \($0) (CLICKHOUSE_CA_FILE)" } ?? "a CA in the system trust store (set CLICKHOUSE_CA_FILE)") (\(text))"
    }

    private func explain(_ error: any Error) -> String {
        let text = "\(error)"
        return explainTLS(text) ?? text
    }

    static func parseSummary(_ text: String?) -> QuerySummary {
        guard let text, let data = text.data(using: .utf8),
              let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return QuerySummary() }
        func n(_ k: String) -> UInt64 {
            if let s = o[k] as? String { return UInt64(s) ?? 0 }
            if let i = o[k] as? NSNumber { return i.uint64Value }
            return 0
        }
        return QuerySummary(readRows: n("read_rows"), writtenRows: n("written_rows"), writtenBytes: n("written_bytes"), elapsedNanos: n("elapsed_ns"))
    }

    /// `s` as a ClickHouse string literal: quoted, with backslashes and single quotes escaped, so text from a message
    /// can sit in a query as data and never as SQL.
    public static func literal(_ s: String) -> String {
        var out = "'"
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\0": out += "\\0"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "'"
    }

    static func encode(_ params: [(String, String)]) -> String {
        params.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
    }

    static func percentEncode(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            switch b {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E:
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                out += "%" + String(b >> 4, radix: 16, uppercase: true) + String(b & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
