import ArgumentParser
import Foundation
import LocalStack
import Replay
import RiskSignalCore
import ScenarioRun

/// `rsbench replay <file>`: a captured feed into the pipeline's streams.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Publish a captured feed (pcap, WebSocket recording, access log, rsbench recording) into the pipeline's streams.",
        discussion: """
            The format is detected from the content (after gzip/zstd): pcap/pcapng (IEX DEEP/TOPS over UDP, or \
            exchange WebSocket streams reassembled from TCP, permessage-deflate included), `<ns> <json>` lines, \
            cryptofeed v1 text and v3 JSONL, `rsbench record` files, access logs (Common/Combined, NASA TSV), and \
            social posts in JSONL. Exchange messages (Coinbase, Binance spot and USD-M, BitMEX, Bybit v5, IEX) are \
            normalised into market.l2raw.<SYM>, market.trades.<SYM> and market.quotes.<SYM>.

            Timing follows the recording, anchored to one start instant (no drift): --speed scales it, --max-gap \
            shortens quiet periods, --max-rate caps it, --top-speed ignores it. --loop N plays it N times with \
            update ids, trade ids, event times and message ids moved on, so books stay consistent. Bad lines or \
            frames are counted with their location and skipped. Event times are moved so the first message happens \
            now (the pipeline expires rows by event time and windows by it); --keep-times keeps them. The summary gives counts per kind and the \
            timing fidelity (actual − intended send offset).

            Examples:
              rsbench replay fixtures/coinbase/coinbase-l2update-20210417.cryptofeed.txt.zst
              rsbench replay fixtures/iex/deep10-slice.pcap.gz --top-speed --symbols AAPL-USD
              rsbench replay ../shared/data/nasa-ksc-http-19950801.tsv --speed 60 --max-gap 1s
              rsbench replay capture.pcap --dry-run        # parse and count only
            """
    )

    @Argument(help: "The capture file.") var file: String
    @Option(help: "auto, or one of: \(ReplayFormat.allCases.map(\.rawValue).joined(separator: ", ")).") var format = "auto"
    @Option(help: "Pace multiplier (2 = twice as fast).") var speed: Double = 1
    @Flag(help: "Ignore the recording's timing; publish as fast as JetStream acks.") var topSpeed = false
    @Option(help: "Cap on events per second.") var maxRate: Double?
    @Option(name: .customLong("loop"), help: "Play the capture this many times, rewriting ids and times.") var loops = 1
    @Option(help: "Shorten quiet periods longer than this (like 500ms, 2s).") var maxGap: String?
    @Option(help: "Start this far into the recording (like 10s).") var from: String?
    @Option(help: "Stop this far into the recording.") var to: String?
    @Option(help: "Comma-separated symbols to keep (BTC-USD,ETH-USD).") var symbols: String?
    @Option(help: "Binance venue symbol (BTCUSDT) for bare REST depth snapshots that neither a logged request line, the file name nor the recording's diffs place.") var symbol: String?
    @Option(help: "For social JSONL: our=theirs field pairs, like text=body,time=created_at.") var fields: String?
    @Flag(help: "Keep the capture's event times (default: moved so the first message is now, spacing kept).") var keepTimes = false
    @Flag(help: "Load, parse and count only; publish nothing.") var dryRun = false
    @Option(name: .customLong("nats-url"), help: "Publish to this NATS instead of the local stack.") var natsURL: String?
    @Option(name: .customLong("allow-subjects"), help: """
        Recorded subjects to publish besides the pipeline's own (NATS patterns, comma-separated or repeated, like 'custom.>'). $JS., $SYS., $KV., $O. and _INBOX. subjects are refused always.
        """) var allowSubjects: [String] = []
    @Flag(help: "Leave the local stack running if the replay started it.") var keepStack = false
    @Flag(help: "Delete and recreate the pipeline's streams first (drops their messages and durables; for repeatable benchmarks).") var resetStreams = false
    @Flag(help: "Publish the recording's message ids as they are (default: suffixed with a per-run nonce, so a replay repeated within JetStream's 2-minute duplicate window is published again).") var repeatableIds = false

    func run() async throws {
        var o = ReplayOptions()
        o.format = format
        o.speed = speed
        o.topSpeed = topSpeed
        o.maxRate = maxRate
        o.loops = loops
        o.keepTimes = keepTimes
        o.ids = EventIDPolicy.choose(repeatable: repeatableIds)
        if !dryRun { print("[replay] event ids: \(o.ids)") }
        o.maxGap = try maxGap.map { try duration($0, "--max-gap") }
        o.from = try from.map { try duration($0, "--from") }
        o.to = try to.map { try duration($0, "--to") }
        o.symbol = symbol
        do {
            o.subjects = try SubjectAllowList(patterns: allowSubjects.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
        } catch { throw ValidationError(error.description) }
        o.symbols = symbols.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }) }
        if let fields {
            for pair in fields.split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2, SocialPostMapping.ourFields.contains(kv[0]) else {
                    throw ValidationError("--fields \(pair): expected our=theirs with ours one of \(SocialPostMapping.ourFields.joined(separator: ", "))")
                }
                o.socialFields[kv[0]] = kv[1]
            }
        }
        var runner = ReplayRunner(path: file, options: o, projectRoot: StackConfig.findProjectRoot() ?? FileManager.default.currentDirectoryPath,
                                  output: { print($0) })
        runner.natsURL = natsURL
        runner.keepStack = keepStack
        runner.parseOnly = dryRun
        runner.resetStreams = resetStreams
        do {
            let outcome = try await runner.run()
            if !dryRun { print(outcome.summary) }
            if outcome.counts.failed > 0 { throw ExitCode(1) }
        } catch let e as ReplayError {
            print("error: \(e)")
            throw ExitCode(3)
        }
    }

    func duration(_ text: String, _ flag: String) throws -> Duration {
        switch Duration.parseScenario(text) {
        case .success(let d): return d
        case .failure(let m): throw ValidationError("\(flag) \(text): \(m)")
        }
    }
}
