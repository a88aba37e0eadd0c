/// What a binary was built from, exported as a constant `<prefix>_build_info` gauge of 1 whose labels carry it.
public struct BuildInfo: Sendable, Equatable {
    /// `risksignal` or `rsbench`: the metric is `<prefix>_build_info`.
    public var prefix: String
    public var version: String
    public var swiftVersion: String
    public var libnatsVersion: String

    public init(prefix: String, version: String, swiftVersion: String, libnatsVersion: String) {
        self.prefix = prefix
        self.version = version
        self.swiftVersion = swiftVersion
        self.libnatsVersion = libnatsVersion
    }

    public var metricName: String { "\(prefix)_build_info" }

    public func append(to out: inout PrometheusText) {
        out.family(metricName, .gauge, help: "Build information: version, Swift compiler and libnats versions (always 1).",
                   samples: [([("version", version), ("swift_version", swiftVersion), ("libnats_version", libnatsVersion)], 1)])
    }
}
