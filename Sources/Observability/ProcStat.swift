import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CPU time, resident memory and start time of one process, read from /proc.
public struct ProcStat: Sendable, Codable, Equatable {
    /// User + system CPU seconds since the process started.
    public var cpuSeconds: Double
    public var rssBytes: UInt64
    /// When the process started, in clock ticks after boot (field 22 of /proc/<pid>/stat); 0 when not read.
    public var startTicks: UInt64

    public init(cpuSeconds: Double, rssBytes: UInt64, startTicks: UInt64 = 0) {
        self.cpuSeconds = cpuSeconds
        self.rssBytes = rssBytes
        self.startTicks = startTicks
    }

    /// Clock ticks per second of the times in /proc/<pid>/stat.
    public static var ticksPerSecond: Double { Double(sysconf(Int32(_SC_CLK_TCK))) }

    public static func read(pid: Int32) -> ProcStat? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        // After the command name: state is field 3, utime 14, stime 15, starttime 22 (1-based in proc(5)).
        guard fields.count > 19, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        var rss: UInt64 = 0
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) {
            rss = (UInt64(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
        }
        return ProcStat(cpuSeconds: (utime + stime) / ticksPerSecond, rssBytes: rss, startTicks: UInt64(fields[19]) ?? 0)
    }

    /// Open file descriptors of the process (entries of /proc/<pid>/fd), nil when they cannot be listed.
    public static func openFDs(pid: Int32) -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")).map(\.count)
    }

    /// The system's boot time, seconds since the Unix epoch (`btime` of /proc/stat).
    public static func bootTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }) else { return nil }
        return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
    }
}
