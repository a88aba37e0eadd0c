import Foundation
import LocalStack

/// One scrape of a `/metrics` endpoint: the Prometheus text, and its sample names and values.
struct Scrape: Sendable {
    let text: String

    /// GET `http://127.0.0.1:<port>/metrics`; nil while the endpoint does not answer 200.
    static func get(port: Int) -> Scrape? {
        guard let r = LoopbackProbe.httpGet(host: "127.0.0.1", port: port, path: "/metrics", timeout: .seconds(5)), r.status == 200 else { return nil }
        return Scrape(text: r.body)
    }

    /// Each sample line's series (`name{labels}`) and value.
    var samples: [(series: String, value: Double)] {
        text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let v = Double(line[line.index(after: space)...]) else { return nil }
            return (String(line[..<space]), v)
        }
    }

    /// The metric names that have samples (`risksignal_insert_latency_seconds_bucket`, `process_open_fds`, …).
    var names: Set<String> { Set(samples.map { String($0.series.prefix { $0 != "{" }) }) }

    /// The value of the one sample whose series is exactly `series`.
    func value(_ series: String) -> Double? { samples.first { $0.series == series }?.value }
}

/// Polls `condition` every 200 ms until it holds or `timeout` passes; whether it held.
func poll(timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(200))
    }
    return false
}
