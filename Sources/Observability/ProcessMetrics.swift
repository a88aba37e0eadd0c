#if canImport(Glibc)
import Glibc
#endif

/// The standard `process_*` metrics of this process (CPU, RSS, open file descriptors, start time), read from /proc
/// at each scrape.
public enum ProcessMetrics {
    /// Appends the families for process `pid` (this process by default); a figure /proc does not give is left out.
    public static func append(to out: inout PrometheusText, pid: Int32 = getpid()) {
        guard let s = ProcStat.read(pid: pid) else { return }
        out.family("process_cpu_seconds_total", .counter, help: "Total user and system CPU time spent in seconds.", value: s.cpuSeconds)
        out.family("process_resident_memory_bytes", .gauge, help: "Resident memory size in bytes.", value: Double(s.rssBytes))
        if let fds = ProcStat.openFDs(pid: pid) {
            out.family("process_open_fds", .gauge, help: "Number of open file descriptors.", value: Double(fds))
        }
        if let boot = ProcStat.bootTime(), s.startTicks > 0 {
            out.family("process_start_time_seconds", .gauge, help: "Start time of the process since unix epoch in seconds.",
                       value: boot + Double(s.startTicks) / ProcStat.ticksPerSecond)
        }
    }
}
