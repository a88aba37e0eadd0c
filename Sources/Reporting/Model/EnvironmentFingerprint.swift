/// Where and with what a run executed, so two reports can be judged comparable.
public struct EnvironmentFingerprint: Codable, Sendable, Equatable {
    public var rsbenchVersion: String
    public var swiftVersion: String
    /// `uname -s`, e.g. `Linux`.
    public var os: String
    /// `uname -r`.
    public var kernel: String
    /// `uname -m`.
    public var machine: String
    /// `model name` from /proc/cpuinfo.
    public var cpuModel: String
    /// Logical processors in /proc/cpuinfo.
    public var cpuCores: Int
    /// `MemTotal` from /proc/meminfo, MiB.
    public var memoryTotalMB: Double
    public var hostname: String
    public var natsServerVersion: String?
    public var clickhouseVersion: String?
    /// The nats.c client library rsbench and the pipeline link (`nats_GetVersion()`).
    public var libnatsVersion: String?
    /// SHA-256 of the scenario file, repeated here so environment.json stands alone.
    public var scenarioSHA256: String

    public init(rsbenchVersion: String, swiftVersion: String, os: String, kernel: String, machine: String = "", cpuModel: String, cpuCores: Int, memoryTotalMB: Double, hostname: String, natsServerVersion: String? = nil, clickhouseVersion: String? = nil, scenarioSHA256: String) {
        self.rsbenchVersion = rsbenchVersion
        self.swiftVersion = swiftVersion
        self.os = os
        self.kernel = kernel
        self.machine = machine
        self.cpuModel = cpuModel
        self.cpuCores = cpuCores
        self.memoryTotalMB = memoryTotalMB
        self.hostname = hostname
        self.natsServerVersion = natsServerVersion
        self.clickhouseVersion = clickhouseVersion
        self.scenarioSHA256 = scenarioSHA256
    }

    /// One line for the end of a Markdown report.
    public var oneLiner: String {
        var parts = ["rsbench \(rsbenchVersion)", "Swift \(swiftVersion)", "\(os) \(kernel)", "\(cpuModel) × \(cpuCores)", String(format: "%.1f GiB RAM", memoryTotalMB / 1024), "host \(hostname)"]
        if let natsServerVersion { parts.append("nats-server \(natsServerVersion)") }
        if let clickhouseVersion { parts.append("ClickHouse \(clickhouseVersion)") }
        if let libnatsVersion { parts.append("libnats \(libnatsVersion)") }
        parts.append("scenario \(scenarioSHA256.prefix(12))")
        return parts.joined(separator: " · ")
    }
}

extension EnvironmentFingerprint {
    /// A placeholder for reports built mid-run (live gates), where the machine does not matter.
    public static let unknown = EnvironmentFingerprint(rsbenchVersion: "", swiftVersion: "", os: "", kernel: "", cpuModel: "", cpuCores: 0,
                                                      memoryTotalMB: 0, hostname: "", scenarioSHA256: "")
}
