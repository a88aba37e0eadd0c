import Generators
import LoadSource
@testable import Measurement
import Replay
import RiskSignalCore
import Testing

/// Issue 12, class 4: ids unique per run by default, repeatable with the seed on request.
@Suite("Event ids per run")
struct EventIDPolicyTests {
    static func ids(_ kind: FeedKind, seed: UInt64, salt: UInt64, count: Int = 50) throws -> [String] {
        var g = try #require(GeneratorSpec.defaults(kind: kind)).make(seed: seed, idSalt: salt)
        return (0..<count).map { g.next(at: 1_763_800_000_000_000_000 + Int64($0) * 1_000_000).eventID }
    }

    @Test(arguments: FeedKind.generated)
    func aSaltGivesNewIdsAndNoSaltKeepsTheSeedsIds(kind: FeedKind) throws {
        let plain = try Self.ids(kind, seed: 9, salt: 0)
        #expect(plain == (try Self.ids(kind, seed: 9, salt: 0)), "repeatable: the seed alone fixes the ids")
        var g = try #require(GeneratorSpec.defaults(kind: kind)).make(seed: 9)
        #expect(plain == (0..<50).map { g.next(at: 1_763_800_000_000_000_000 + Int64($0) * 1_000_000).eventID }, "salt 0 is today's ids")
        let a = try Self.ids(kind, seed: 9, salt: 0xABCDEF)
        let b = try Self.ids(kind, seed: 9, salt: 0x123457)
        #expect(Set(a).isDisjoint(with: plain), "\(kind): a run's ids are its own")
        #expect(Set(a).isDisjoint(with: b))
        #expect(Set(a).count == a.count, "ids stay unique within the run")
        #expect(a == (try Self.ids(kind, seed: 9, salt: 0xABCDEF)), "the same nonce repeats the run exactly")
    }

    @Test func aSaltMovesOnlyTheIdsOfSeededContent() throws {
        var plain = try #require(GeneratorSpec.defaults(kind: .trades)).make(seed: 3)
        var salted = try #require(GeneratorSpec.defaults(kind: .trades)).make(seed: 3, idSalt: 77)
        for i in 0..<20 {
            let t = 1_763_800_000_000_000_000 + Int64(i) * 1_000_000
            let p = plain.next(at: t), s = salted.next(at: t)
            #expect(p.subject == s.subject)
            let strip: (String) -> String = { $0.replacing(/"(trade_id|order_id|event_id)":"?[^,"]*"?/, with: "") }
            #expect(strip(String(decoding: p.payload, as: UTF8.self)) == strip(String(decoding: s.payload, as: UTF8.self)), "prices, sizes and times are the seed's")
        }
    }

    @Test func thePolicyPrintsItsNonceAndScopesOutsideIds() {
        let r = EventIDPolicy.repeatable
        #expect(r.isRepeatable && r.scoped("abc") == "abc")
        #expect(r.description.contains("repeatable ids"))
        let p = EventIDPolicy(nonce: 0xBEEF)
        #expect(p.nonceHex == "000000000000beef")
        #expect(p.scoped("abc") == "abc~000000000000beef")
        #expect(p.description.contains("per-run id nonce 000000000000beef"))
        #expect(EventIDPolicy.perRun() != EventIDPolicy.perRun(), "two runs, two nonces")
        #expect(!EventIDPolicy.choose(repeatable: false).isRepeatable && EventIDPolicy.choose(repeatable: true).isRepeatable)
    }

    @Test func replayedMessageIdsCarryTheRunsNonce() throws {
        let items = (0..<3).map { ReplayItem(timeNanos: Int64($0) * 1_000_000, body: .raw(subject: "x.y", payload: [], eventID: "e\($0)", kind: "recorded")) }
        var o = ReplayOptions()
        o.loops = 2
        let plain = try ReplaySchedule(items: items, options: o)
        #expect((0..<6).map { plain.event($0, intendedNanos: 0).eventID } == ["e0", "e1", "e2", "e0~1", "e1~1", "e2~1"])
        o.ids = EventIDPolicy(nonce: 1)
        let run = try ReplaySchedule(items: items, options: o)
        #expect((0..<6).map { run.event($0, intendedNanos: 0).eventID }
                == ["e0", "e1", "e2", "e0~1", "e1~1", "e2~1"].map { "\($0)~0000000000000001" })
    }

    @Test func duplicatesAreTheirOwnCheckAndNeverALoss() {
        let c = CrossChecker.duplicates("MARKET_TRADES", 100)
        #expect(c.status == .ok)
        #expect(c.name == "duplicates → MARKET_TRADES")
        #expect(c.text.contains("100 publishes were duplicates") && c.text.contains("not lost"), "\(c.text)")
    }
}
