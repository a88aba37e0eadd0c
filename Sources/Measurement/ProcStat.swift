import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CPU time and resident memory of one process, read from /proc.
public struct ProcStat: Sendable, Codable, Equatable {
    /// User + system CPU seconds since the process started.
    public var cpuSeconds: Double
    public var rssBytes: UInt64

    public init(cpuSeconds: Double, rssBytes: UInt64) {
        self.cpuSeconds = cpuSeconds
        self.rssBytes = rssBytes
    }

    public static func read(pid: Int32) -> ProcStat? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        // After the command name: state is field 3, utime 14, stime 15 (1-based in proc(5)).
        guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var rss: UInt64 = 0
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) {
            rss = (UInt64(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
        }
        return ProcStat(cpuSeconds: (utime + stime) / ticks, rssBytes: rss)
    }
}
