import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Blocking checks of local ports: is a port free, and a minimal HTTP GET for health endpoints.
public enum LoopbackProbe {
    /// True when nothing listens on `host:port` (we could bind it ourselves).
    public static func isPortFree(host: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &addr.sin_addr)
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return r == 0
    }

    /// A port the kernel hands out as free right now (for tests that need their own stack).
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// `runs` disjoint runs of `count` consecutive ports, each free right now (for tests that start a cluster, whose
    /// node i uses a base port plus i). Bounded: gives up after 200 candidates per run.
    public static func freePortRuns(_ runs: Int, count: Int) -> [Int]? {
        var bases: [Int] = []
        for _ in 0..<runs {
            var found: Int?
            for _ in 0..<200 {
                let base = freePort()
                guard base > 0, base + count - 1 <= 65535 else { continue }
                let range = base..<(base + count)
                guard bases.allSatisfy({ !range.overlaps($0..<($0 + count)) }),
                      range.allSatisfy({ isPortFree(host: "127.0.0.1", port: $0) }) else { continue }
                found = base
                break
            }
            guard let found else { return nil }
            bases.append(found)
        }
        return bases
    }

    /// `GET path` on `host:port`; returns status and body, or nil when the connection fails or times out.
    public static func httpGet(host: String, port: Int, path: String, timeout: Duration = .seconds(1)) -> (status: Int, body: String)? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        if tv.tv_sec == 0 && tv.tv_usec == 0 { tv.tv_usec = 100_000 }
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { return nil }
        let c = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard c == 0 else { return nil }
        let req = "GET \(path) HTTP/1.0\r\nHost: \(host):\(port)\r\nConnection: close\r\n\r\n"
        guard req.withCString({ send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }) > 0 else { return nil }
        var data = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { break }
            data.append(contentsOf: buf[0..<n])
            if data.count > 1 << 20 { break }
        }
        let text = String(decoding: data, as: UTF8.self)
        guard text.hasPrefix("HTTP/"), let sp = text.firstIndex(of: " ") else { return nil }
        let status = Int(text[text.index(after: sp)...].prefix(3)) ?? 0
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }
}
