import Capture
import Foundation
import Replay
import RiskSignalCore
import Testing

/// Replay publishes only to the pipeline's own subjects or to `--allow-subjects` patterns; server API subjects never.
@Suite("Replay subject allow-list")
struct ReplaySubjectTests {
    @Test(arguments: ["market.l2raw.BTC-USD", "market.trades.ETH-USD", "market.quotes.AAPL", "social.raw.reddit",
                      "frontend.events.web", "user.actions.42", "signals.test"])
    func pipelineSubjectsPass(subject: String) {
        #expect(SubjectAllowList().refusal(for: subject) == nil)
    }

    @Test(arguments: ["$JS.API.STREAM.PURGE.MARKET_TRADES", "$JS.API.STREAM.DELETE.SIGNALS", "$SYS.REQ.SERVER.PING",
                      "$KV.bucket.key", "$O.store.chunk", "_INBOX.abc.def", "$JSC.R.x", "custom.x", "market.l2.BTC", "market.trades.",
                      "market..x", "market.trades.*", "market.trades.>", "a b"])
    func everythingElseIsRefused(subject: String) {
        #expect(SubjectAllowList().refusal(for: subject) != nil)
    }

    @Test func patternsFollowNATSWildcards() throws {
        let list = try SubjectAllowList(patterns: ["custom.>", "venue.*.trades", "$JS.>", "_INBOX.>"])
        #expect(list.refusal(for: "custom.x") == nil)
        #expect(list.refusal(for: "custom.x.y") == nil)
        #expect(list.refusal(for: "custom") != nil, "> needs at least one more token")
        #expect(list.refusal(for: "venue.bin.trades") == nil)
        #expect(list.refusal(for: "venue.bin.x.trades") != nil)
        // Reserved namespaces stay refused even when a pattern matches them.
        #expect(list.refusal(for: "$JS.API.STREAM.PURGE.X") != nil)
        #expect(list.refusal(for: "_INBOX.x") != nil)
        #expect(SubjectAllowList.matches(pattern: ">", subject: "a.b"))
        #expect(!SubjectAllowList.matches(pattern: "a.*", subject: "a.b.c"))
    }

    @Test(arguments: ["", "a..b", "a.>.b", "a.b*", "a b"])
    func badPatternsAreNamed(pattern: String) {
        #expect(throws: ReplayError.self) { try SubjectAllowList(patterns: [pattern]) }
    }

    func recording(_ subjects: [String]) throws -> String {
        let path = NSTemporaryDirectory() + "subjects-\(UUID().uuidString).ndjson.zst"
        let w = try RecordingWriter(path: path)
        for (i, s) in subjects.enumerated() {
            try w.write(receiveNanos: 1_700_000_000_000_000_000 + Int64(i) * 1_000_000, subject: s, payload: Array("{\"i\":\(i)}".utf8))
        }
        try w.close()
        return path
    }

    @Test func aRecordingWithAJetStreamAPISubjectIsRefusedWithItsLineBeforeAnything() throws {
        let path = try recording(["market.trades.BTC-USD", "market.trades.BTC-USD", "$JS.API.STREAM.PURGE.MARKET_TRADES", "market.trades.BTC-USD"])
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try CaptureLoader(options: ReplayOptions()).load(path: path)
            Issue.record("the recording was accepted")
        } catch {
            #expect(error.description.contains("line 3"), "\(error)")
            #expect(error.description.contains("$JS.API.STREAM.PURGE.MARKET_TRADES"))
            #expect(error.description.contains("Nothing was published"))
        }
    }

    @Test func allowSubjectsLetsACustomSubjectThrough() throws {
        let path = try recording(["custom.x", "market.trades.BTC-USD"])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ReplayError.self) { try CaptureLoader(options: ReplayOptions()).load(path: path) }
        var o = ReplayOptions()
        o.subjects = try SubjectAllowList(patterns: ["custom.>"])
        let (items, _) = try CaptureLoader(options: o).load(path: path)
        #expect(items.count == 2)
    }
}
