/// Where the pipeline's servers are and how to log in, from flags and environment variables.
public struct ConnectionConfig: Sendable, Equatable {
    /// NATS server URLs (`NATS_URL`, comma-separated for a cluster).
    public var natsURLs: [String]
    public var natsUser: String?
    public var natsPassword: String?
    public var natsToken: String?
    /// TLS files for NATS (`NATS_TLS_CA`, `NATS_TLS_CERT`, `NATS_TLS_KEY`); any of them turns TLS on.
    public var natsTLSCA: String?
    public var natsTLSCert: String?
    public var natsTLSKey: String?
    /// ClickHouse HTTP interface (`CLICKHOUSE_URL`), e.g. `http://127.0.0.1:8123`.
    public var clickHouseURL: String
    public var clickHouseUser: String
    public var clickHousePassword: String
    public var clickHouseDatabase: String
    /// A PEM file of CA certificates to verify an `https://` ClickHouse with (`CLICKHOUSE_CA_FILE`); default: the system's.
    public var clickHouseCAFile: String?

    public static let defaultNATSURL = "nats://127.0.0.1:4222"
    public static let defaultClickHouseURL = "http://127.0.0.1:8123"

    public init(natsURLs: [String] = [defaultNATSURL], clickHouseURL: String = defaultClickHouseURL,
                clickHouseUser: String = "default", clickHousePassword: String = "", clickHouseDatabase: String = "risksignal") {
        self.natsURLs = natsURLs
        self.clickHouseURL = clickHouseURL
        self.clickHouseUser = clickHouseUser
        self.clickHousePassword = clickHousePassword
        self.clickHouseDatabase = clickHouseDatabase
    }

    /// Reads the environment; a value that is present but malformed is an error naming the variable.
    public static func fromEnvironment(_ env: [String: String]) throws(ConfigError) -> ConnectionConfig {
        var c = ConnectionConfig()
        if let v = env["NATS_URL"], !v.isEmpty { c.natsURLs = try parseNATSURLs(v, source: "NATS_URL") }
        c.natsUser = env["NATS_USER"].flatMap { $0.isEmpty ? nil : $0 }
        c.natsPassword = env["NATS_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        c.natsToken = env["NATS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        c.natsTLSCA = env["NATS_TLS_CA"].flatMap { $0.isEmpty ? nil : $0 }
        c.natsTLSCert = env["NATS_TLS_CERT"].flatMap { $0.isEmpty ? nil : $0 }
        c.natsTLSKey = env["NATS_TLS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if let v = env["CLICKHOUSE_URL"], !v.isEmpty { try c.setClickHouseURL(v, source: "CLICKHOUSE_URL") }
        if let v = env["CLICKHOUSE_USER"], !v.isEmpty { c.clickHouseUser = v }
        if let v = env["CLICKHOUSE_PASSWORD"], !v.isEmpty { c.clickHousePassword = v }
        c.clickHouseCAFile = (env["CLICKHOUSE_CA_FILE"] ?? env["CLICKHOUSE_TLS_CA"]).flatMap { $0.isEmpty ? nil : $0 }
        if let v = env["CLICKHOUSE_DATABASE"], !v.isEmpty {
            guard isIdentifier(v) else {
                throw .invalid(source: "CLICKHOUSE_DATABASE", value: v, expected: "a database name of letters, digits and underscores")
            }
            c.clickHouseDatabase = v
        }
        if (c.natsTLSCert == nil) != (c.natsTLSKey == nil) {
            throw .invalid(source: c.natsTLSCert == nil ? "NATS_TLS_CERT" : "NATS_TLS_KEY", value: "",
                           expected: "NATS_TLS_CERT and NATS_TLS_KEY to be set together")
        }
        return c
    }

    /// The variables `fromEnvironment` reads back into this configuration: how a child process gets its servers and
    /// credentials without any of them in its argv (which every user of the machine can read in `/proc`).
    public var environmentVariables: [String: String] {
        var env = ["NATS_URL": natsURLs.joined(separator: ","), "CLICKHOUSE_URL": clickHouseURL,
                   "CLICKHOUSE_USER": clickHouseUser, "CLICKHOUSE_PASSWORD": clickHousePassword,
                   "CLICKHOUSE_DATABASE": clickHouseDatabase]
        // Empty values read back as "not set", so an inherited variable cannot leak a different secret in.
        env["NATS_USER"] = natsUser ?? ""
        env["NATS_PASSWORD"] = natsPassword ?? ""
        env["NATS_TOKEN"] = natsToken ?? ""
        env["NATS_TLS_CA"] = natsTLSCA ?? ""
        env["NATS_TLS_CERT"] = natsTLSCert ?? ""
        env["NATS_TLS_KEY"] = natsTLSKey ?? ""
        env["CLICKHOUSE_CA_FILE"] = clickHouseCAFile ?? ""
        env["CLICKHOUSE_TLS_CA"] = ""
        return env
    }

    public var natsTLSEnabled: Bool {
        natsTLSCA != nil || natsTLSCert != nil || natsURLs.contains { $0.hasPrefix("tls://") }
    }

    public static func parseNATSURLs(_ text: String, source: String) throws(ConfigError) -> [String] {
        let urls = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !urls.isEmpty else { throw .invalid(source: source, value: text, expected: "one or more nats://host:port URLs, comma-separated") }
        for u in urls {
            guard u.hasPrefix("nats://") || u.hasPrefix("tls://"), u.split(separator: ":").count >= 2 else {
                throw .invalid(source: source, value: u, expected: "a URL like nats://127.0.0.1:4222 (or tls://...)")
            }
        }
        return urls
    }

    /// Sets the ClickHouse URL; credentials written into it (`http://user:password@host:8123`) move to
    /// `clickHouseUser`/`clickHousePassword`, so the URL that travels and gets printed holds no secret.
    public mutating func setClickHouseURL(_ text: String, source: String) throws(ConfigError) {
        let parsed = try Self.parseHTTPURL(text, source: source)
        let (url, user, password) = Self.splitUserInfo(parsed)
        clickHouseURL = url
        if let user, !user.isEmpty { clickHouseUser = user }
        if let password { clickHousePassword = password }
    }

    /// `scheme://user:password@rest` as (`scheme://rest`, user, password), percent-decoded; other URLs unchanged.
    public static func splitUserInfo(_ url: String) -> (url: String, user: String?, password: String?) {
        guard let schemeEnd = url.range(of: "://") else { return (url, nil, nil) }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return (url, nil, nil) }
        let info = authority[..<at]
        let stripped = String(url[..<schemeEnd.upperBound]) + String(rest[rest.index(after: at)...])
        guard let colon = info.firstIndex(of: ":") else { return (stripped, percentDecoded(info), nil) }
        return (stripped, percentDecoded(info[..<colon]), percentDecoded(info[info.index(after: colon)...]))
    }

    static func percentDecoded(_ s: Substring) -> String {
        var out: [UInt8] = []
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let v = UInt8(String(decoding: b[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out.append(v)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func parseHTTPURL(_ text: String, source: String) throws(ConfigError) -> String {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard t.hasPrefix("http://") || t.hasPrefix("https://"), t.count > 8 else {
            throw .invalid(source: source, value: text, expected: "a URL like http://127.0.0.1:8123")
        }
        return t.hasSuffix("/") ? String(t.dropLast()) : t
    }

    public static func isIdentifier(_ s: String) -> Bool {
        guard let f = s.utf8.first, !(48...57).contains(f) else { return false }
        return s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 }
    }
}

/// A configuration value that cannot be used, naming where it came from and what was expected.
public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(source: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .invalid(let source, let value, let expected):
            value.isEmpty ? "\(source): expected \(expected)" : "\(source)=\"\(ConnectionConfig.redacted(value))\": expected \(expected)"
        }
    }
}

extension String {
    func trimmingCharacters(in set: CharacterSetLite) -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}

extension Substring {
    func trimmingCharacters(in set: CharacterSetLite) -> String { String(self).trimmingCharacters(in: set) }
}

/// Whitespace only; keeps the core free of Foundation's CharacterSet.
enum CharacterSetLite { case whitespaces }
