import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Gathers the environment fingerprint on Linux from uname(2), /proc/cpuinfo and /proc/meminfo.
public struct EnvironmentCollector: Sendable {
    /// Where /proc lives; a test can point this at a fixture directory.
    public var procRoot: URL

    public init(procRoot: URL = URL(fileURLWithPath: "/proc")) {
        self.procRoot = procRoot
    }

    public func collect(rsbenchVersion: String, scenarioSHA256: String, natsServerVersion: String? = nil, clickhouseVersion: String? = nil) -> EnvironmentFingerprint {
        let u = Self.uname()
        let cpu = (try? String(contentsOf: procRoot.appendingPathComponent("cpuinfo"), encoding: .utf8)).map(Self.parseCPUInfo)
        let mem = (try? String(contentsOf: procRoot.appendingPathComponent("meminfo"), encoding: .utf8)).flatMap(Self.parseMemTotalMB)
        return EnvironmentFingerprint(
            rsbenchVersion: rsbenchVersion,
            swiftVersion: Self.swiftVersion,
            os: u.sysname, kernel: u.release, machine: u.machine,
            cpuModel: cpu?.model ?? "unknown",
            cpuCores: cpu?.cores ?? ProcessInfo.processInfo.activeProcessorCount,
            memoryTotalMB: mem ?? Double(ProcessInfo.processInfo.physicalMemory) / 1_048_576,
            hostname: u.nodename.isEmpty ? ProcessInfo.processInfo.hostName : u.nodename,
            natsServerVersion: natsServerVersion,
            clickhouseVersion: clickhouseVersion,
            scenarioSHA256: scenarioSHA256)
    }

    /// The compiler version this module was built with (there is no runtime API for it).
    public static var swiftVersion: String {
        #if swift(>=6.4)
        return ">=6.4"
        #elseif swift(>=6.3)
        return "6.3"
        #elseif swift(>=6.2)
        return "6.2"
        #elseif swift(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }

    /// `model name` of the first processor and the number of `processor` entries.
    public static func parseCPUInfo(_ text: String) -> (model: String, cores: Int) {
        var model: String?
        var cores = 0
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            if key == "processor" { cores += 1 }
            if key == "model name", model == nil { model = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return (model ?? "unknown", cores)
    }

    /// `MemTotal` in MiB (the kernel reports kB, meaning KiB).
    public static func parseMemTotalMB(_ text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kb = Double(fields[1]) { return kb / 1024 }
        }
        return nil
    }

    static func uname() -> (sysname: String, release: String, machine: String, nodename: String) {
        var u = utsname()
        #if canImport(Glibc)
        let rc = Glibc.uname(&u)
        #else
        let rc = Darwin.uname(&u)
        #endif
        guard rc == 0 else { return ("unknown", "unknown", "unknown", "") }
        func s<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        return (s(u.sysname), s(u.release), s(u.machine), s(u.nodename))
    }
}
