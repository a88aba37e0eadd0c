import ArgumentParser
import Capture
import Foundation
import JetStream
import LocalStack
import Reporting
import RiskSignalCore
import ScenarioRun

/// `rsbench record`: capture live subjects into our `.ndjson.zst`, to replay later.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Subscribe to subjects for a while and write what arrives to a .ndjson.zst recording.",
        discussion: """
            Each line holds the receive time (ns), the subject, the headers and the payload (as text, or base64 \
            when it is not UTF-8), zstd-compressed. `rsbench replay` reads it back with the original subjects and \
            timing. Recording stops after --duration or --max-messages, whichever comes first.

            Examples:
              rsbench record 'market.>' --duration 30s --out capture.ndjson.zst
              rsbench record 'frontend.events.>' 'user.actions.>' --duration 1m --out web.ndjson.zst
            """
    )

    @Argument(help: "Subjects to record (NATS wildcards allowed).") var subjects: [String]
    @Option(help: "How long to record, like 30s or 5m.") var duration: String = "30s"
    @Option(help: "Stop after this many messages.") var maxMessages: Int = 10_000_000
    @Option(help: "The recording to write (.ndjson.zst).") var out: String
    @Option(name: .customLong("nats-url"), help: "NATS to record from (default: the local stack's).") var natsURL: String?

    func run() async throws {
        guard !subjects.isEmpty else { throw ValidationError("name at least one subject, like 'market.>'") }
        try requireWritable(OutputPath(flag: "--out", path: out, kind: .file))
        let limit: Duration
        switch Duration.parseScenario(duration) {
        case .success(let d): limit = d
        case .failure(let m): throw ValidationError("--duration \(duration): \(m)")
        }
        // Recording never starts a stack: it listens to traffic that something else sends.
        let target = try RunTarget.resolve(natsURL: natsURL, environment: ProcessInfo.processInfo.environment,
                                           projectRoot: StackConfig.findProjectRoot() ?? FileManager.default.currentDirectoryPath,
                                           needs: .natsOnly, startLocal: false)
        let url = target.connection.redactedNATSURLs
        let nats = try await NATSConnection.connect(NATSConnectionOptions(target.connection, name: "rsbench-record"))
        defer { nats.close() }
        var subs: [CoreSubscription] = []
        for s in subjects { subs.append(try await nats.subscribe(s)) }
        let writer = try RecordingWriter(path: out)
        print("[record] \(subjects.joined(separator: ", ")) on \(url) for \(limit) into \(out)")
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var written = 0, lastPrint = clock.now
        while clock.now < deadline && written < maxMessages {
            for sub in subs {
                let got = try await sub.next(max: 1000, wait: .milliseconds(subs.count > 1 ? 20 : 100))
                for m in got where written < maxMessages {
                    try writer.write(receiveNanos: m.receivedNanos, subject: m.subject, headers: m.headers.map { ($0.name, $0.value) }, payload: m.payload)
                    written += 1
                }
            }
            if clock.now - lastPrint >= .seconds(1) {
                print("[record] \(written) messages")
                lastPrint = clock.now
            }
        }
        try writer.close()
        print("[record] wrote \(written) messages to \(out)")
    }
}
