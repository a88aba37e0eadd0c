import ClickHouse
import Foundation
@testable import Pipeline
import RiskSignalCore
import Testing

/// The consumer-side instants written into each row as its insert is sent.
@Suite struct StageStampTests {
    static let sent = Timestamp(nanosSinceEpoch: 1_767_225_600_123_456_000)  // 2026-01-01 00:00:00.123456

    func rows(_ b: InsertBatch) -> [[String: Any]] {
        b.rowRanges.map { try! JSONSerialization.jsonObject(with: Data(b.bytes[$0])) as! [String: Any] }
    }

    @Test func everyRowGetsItsFetchAndTheSendAndKeepsItsFields() {
        var batch = InsertBatch()
        batch.append(row: #"{"event_id":"a","price":1.5}"#)
        batch.append(row: #"{"event_id":"b","text":"x\ny"}"#)
        batch.append(row: #"{"event_id":"c"}"#)
        let f1: Int64 = 1_767_225_600_000_001_000, f2: Int64 = 1_767_225_600_050_000_999
        let out = StageStamp(fetchedNanos: [f1, f2, 0]).apply(to: batch, sentAt: Self.sent)
        #expect(out.rowCount == 3)
        let r = rows(out)
        #expect(r[0]["fetched_at"] as? String == "1767225600.000001")
        #expect(r[1]["fetched_at"] as? String == "1767225600.050000")
        // Unknown fetch (a row built from state): the column stays NULL.
        #expect(r[2]["fetched_at"] == nil)
        #expect(r.allSatisfy { $0["insert_sent_at"] as? String == "1767225600.123456" })
        #expect(r[0]["price"] as? Double == 1.5)
        #expect(r[1]["text"] as? String == "x\ny")
        #expect(r.map { $0["event_id"] as? String } == ["a", "b", "c"])
    }

    @Test func anEmptyObjectTakesTheStampAloneAndCountsThatDisagreeStampOnlyTheSend() {
        var batch = InsertBatch()
        batch.append(row: "{}")
        batch.append(row: #"{"event_id":"z"}"#)
        let out = StageStamp(fetchedNanos: [5]).apply(to: batch, sentAt: Self.sent)
        let r = rows(out)
        #expect(r.count == 2)
        #expect(r.allSatisfy { $0["fetched_at"] == nil && $0["insert_sent_at"] != nil })
    }

    @Test func aPieceOfASplitBatchKeepsItsRowsInstants() {
        let s = StageStamp(fetchedNanos: [10, 20, 30, 40]).subset([3, 1])
        #expect(s.fetchedNanos == [40, 20])
    }

    @Test func onlyTablesWithTheColumnsAreStamped() {
        var out = HandlerOutput()
        out.append(row: #"{"event_id":"x"}"#, to: "alerts_history")
        out.append(row: #"{"event_id":"y"}"#, to: "trades")
        #expect(StageStamp.of("alerts_history", in: out) == nil)
        #expect(StageStamp.of("dead_letters", in: out) == nil)
        // A staged table whose rows have no known inputs: stamped with the send only.
        #expect(StageStamp.of("trades", in: out)?.fetchedNanos == [0])
    }
}
