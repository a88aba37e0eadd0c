import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CPU time and resident memory of one process, read from /proc.
public struct ProcessSample: Sendable, Codable, Equatable {
    /// User + system CPU seconds since the process started.
    public var cpuSeconds: Double
    public var rssBytes: UInt64

    public static func read(pid: Int32) -> ProcessSample? {
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
        return ProcessSample(cpuSeconds: (utime + stime) / ticks, rssBytes: rss)
    }
}

/// Per-second CPU (fraction of one core) and RSS of the processes of a run.
public struct ResourceSeries: Sendable, Codable {
    public var process: String
    public var pid: Int32
    public var cpu: [Double] = []
    public var rssMB: [Double] = []
    var last: ProcessSample?
    var lastTime: Double?

    public init(process: String, pid: Int32) {
        self.process = process
        self.pid = pid
    }

    /// Appends one sample; `now` in seconds on a monotonic clock.
    public mutating func sample(now: Double) {
        guard let s = ProcessSample.read(pid: pid) else { return }
        if let l = last, let t = lastTime, now > t {
            cpu.append(max(0, (s.cpuSeconds - l.cpuSeconds) / (now - t)))
            rssMB.append(Double(s.rssBytes) / 1_048_576)
        }
        last = s
        lastTime = now
    }

    public var meanCPU: Double { cpu.isEmpty ? 0 : cpu.reduce(0, +) / Double(cpu.count) }
    public var maxRSSMB: Double { rssMB.max() ?? 0 }
}
