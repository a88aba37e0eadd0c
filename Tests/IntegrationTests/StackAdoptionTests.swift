import Foundation
import LocalStack
import XCTest

/// A stack whose starter was killed half-way: the PIDs are in `stack.json` from the moment each server is spawned,
/// so the next `up` recognises the servers (their command line is ours), reuses them, and `down` stops them.
final class StackAdoptionTests: XCTestCase {
    func config(_ name: String) -> StackConfig {
        let home = NSTemporaryDirectory() + "rsbench-adopt-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var c = StackConfig(projectRoot: TestStack.projectRoot, home: home)
        c.natsPort = LoopbackProbe.freePort()
        c.natsMonitorPort = LoopbackProbe.freePort()
        c.clickHousePort = LoopbackProbe.freePort()
        return c
    }

    struct Recorded: Decodable { var service: String; var pid: Int32 }

    func recorded(_ c: StackConfig) -> [Recorded] {
        guard let data = FileManager.default.contents(atPath: c.home + "/stack.json") else { return [] }
        return (try? JSONDecoder().decode([Recorded].self, from: data)) ?? []
    }

    func gone(_ pid: Int32) -> Bool {
        if kill(pid, 0) != 0 { return true }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.isEmpty || stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    func testKilledStackUpLeavesServersTheNextUpAdoptsAndDownStops() throws {
        let binary = TestStack.projectRoot + "/.build/debug/rsbench"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary), "build the executables first (`swift build`)")
        let c = config("killed")
        defer { try? FileManager.default.removeItem(atPath: c.home) }
        var env = ProcessInfo.processInfo.environment
        env["RSBENCH_HOME"] = c.home
        env["NATS_PORT"] = String(c.natsPort)
        env["NATS_MONITOR_PORT"] = String(c.natsMonitorPort)
        env["CLICKHOUSE_PORT"] = String(c.clickHousePort)
        env.removeValue(forKey: "CLICKHOUSE_URL")
        // posix_spawn + waitpid: the test reaps the killed `up` itself.
        let pid = try Spawned.start(binary, ["stack", "up"], env: env, cwd: TestStack.projectRoot)
        // Kill it as soon as the ClickHouse endpoint is recorded: spawned, not yet healthy, `up` not finished.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        while clock.now < deadline, !recorded(c).contains(where: { $0.service == "clickhouse" }), !Spawned.exited(pid) { usleep(5_000) }
        let healthyAtKill = LocalStack(config: c).clickHouseHealthy()
        kill(pid, SIGKILL)
        XCTAssertFalse(healthyAtKill, "killed while the endpoint was still starting: recorded at spawn, before health")
        var exitStatus: Int32 = 0
        _ = waitpid(pid, &exitStatus, 0)
        let before = recorded(c)
        XCTAssertEqual(Set(before.map(\.service)), ["nats", "clickhouse"], "both PIDs recorded at spawn")

        let stack = LocalStack(config: c)
        var lines: [String] = []
        let status = try stack.up { lines.append($0) }
        XCTAssertTrue(status.allHealthy, "\(status)")
        XCTAssertTrue(lines.allSatisfy { $0.contains("already running") }, "\(lines)")
        XCTAssertEqual(Set(stack.processes.map(\.pid)), Set(before.map(\.pid)), "the same servers, reused")
        // A second `up` is harmless too.
        XCTAssertTrue(try stack.up().allHealthy)

        stack.down(grace: .seconds(5))
        for r in before { XCTAssertTrue(gone(r.pid), "\(r.service) (pid \(r.pid)) stopped") }
        XCTAssertTrue(recorded(c).isEmpty)
    }

    func testUnrecordedServersWithOurCommandLineAreAdopted() throws {
        let c = config("unrecorded")
        defer { try? FileManager.default.removeItem(atPath: c.home) }
        let first = LocalStack(config: c)
        try first.up()
        let pids = first.processes.map(\.pid)
        XCTAssertEqual(pids.count, 2)
        // Whatever happens below, the servers this test started do not outlive it.
        defer { for pid in pids where !gone(pid) { kill(pid, SIGKILL) } }
        // The record is lost (a start killed between spawn and write): the servers still hold the ports.
        try FileManager.default.removeItem(atPath: c.home + "/stack.json")

        let again = LocalStack(config: c)
        let status = try again.up()
        XCTAssertTrue(status.allHealthy, "\(status)")
        XCTAssertEqual(Set(again.processes.map(\.pid)), Set(pids), "recognised by /proc/<pid>/cmdline, not refused as someone else's")
        again.down(grace: .seconds(5))
        for pid in pids { XCTAssertTrue(gone(pid), "pid \(pid) stopped") }
    }

    func testAnotherProgramOnThePortIsStillRefused() throws {
        var c = config("foreign")
        defer { try? FileManager.default.removeItem(atPath: c.home) }
        // A listener that is not ours on the NATS port.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(c.natsPort).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        XCTAssertEqual(bound, 0)
        XCTAssertEqual(listen(fd, 1), 0)
        c.externalClickHouseURL = nil
        XCTAssertThrowsError(try LocalStack(config: c).up()) { error in
            XCTAssertTrue("\(error)".contains("\(c.natsPort)") && "\(error)".contains("did not start"), "\(error)")
        }
    }
}
