import ClickHouse
import Foundation
import JetStream
@testable import Pipeline
import RiskSignalCore
import Testing

/// Class 2 of issue 12: bounded deliveries, one classification of insert failures, splitting, DLQ copies that fit.
@Suite("Delivery rules: max_deliver, failure classes, batch splits, DLQ copies")
struct DeliveryRulesTests {
    static func server(_ code: Int, _ message: String = "") -> ClickHouseError {
        .server(code: code, name: nil, message: message, query: "INSERT INTO t FORMAT JSONEachRow")
    }

    @Test(arguments: [6, 25, 26, 27, 32, 33, 38, 41, 53, 69, 70, 72, 117, 130, 131, 190, 321, 349, 376, 377, 407, 441, 691])
    func parseAndTypeErrorsAreBadRows(code: Int) {
        #expect(Self.server(code).insertFailure == .badRows)
        #expect(!Self.server(code).isRetryable, "a bad value does not fix itself")
    }

    @Test func thePartitionLimitIsTheBatchsFaultButTooManyActivePartsIsTransient() {
        let limit = Self.server(252, "Too many partitions for single INSERT block (more than 100). The limit is controlled by 'max_partitions_per_insert_block' setting")
        #expect(limit.insertFailure == .tooManyPartitions)
        let parts = Self.server(252, "Too many parts (600) in all partitions in total. Merges are processing significantly slower than inserts")
        #expect(parts.insertFailure == .transient)
        #expect(parts.isRetryable)
    }

    @Test(arguments: [159, 202, 209, 210, 241, 319, 394])
    func serverConditionsAreTransient(code: Int) {
        #expect(Self.server(code).insertFailure == .transient)
        #expect(Self.server(code).isRetryable)
    }

    @Test func aServerThatIsDownIsUnavailableAndABadRequestIsRejected() {
        #expect(ClickHouseError.unreachable(url: "http://127.0.0.1:1", detail: "connection refused").insertFailure == .unavailable)
        #expect(ClickHouseError.timeout(url: "http://127.0.0.1:1", after: .seconds(1)).insertFailure == .unavailable)
        #expect(ClickHouseError.http(status: 503, body: "", url: "x").insertFailure == .unavailable)
        #expect(ClickHouseError.http(status: 404, body: "", url: "x").insertFailure == .rejected)
        #expect(Self.server(60, "Table x.y does not exist").insertFailure == .rejected)
        #expect(Self.server(62, "Syntax error").insertFailure == .rejected)
    }

    @Test func everyCatalogueConsumerHasABoundedMaxDeliver() {
        for d in ConsumerCatalog.all + ConsumerCatalog.alertInputs.map(\.0) {
            #expect(d.consumerSpec.maxDeliver == PipelineEnvironment.defaultMaxDeliver, "\(d.durable)")
            #expect(d.consumerSpec.maxDeliver > 0)
        }
    }

    @Test func maxDeliverComesFromTheEnvironmentPerConsumerOrForAll() throws {
        let c = ConnectionConfig(natsURLs: ["nats://127.0.0.1:4222"], clickHouseURL: "http://127.0.0.1:8123")
        let o = try PipelineOptions.resolve(consumers: ["trades", "social"], environment: ["RS_MAX_DELIVER": "3", "RS_SOCIAL_MAX_DELIVER": "7"], connection: c)
        #expect(o.consumers.map(\.maxDeliver) == [3, 7])
        #expect(o.consumers.map(\.consumerSpec.maxDeliver) == [3, 7])
        let none = try PipelineOptions.resolve(consumers: ["trades"], environment: [:], connection: c)
        #expect(none.consumers[0].maxDeliver == 5)
        var env = PipelineEnvironment()
        env.maxDeliver["trades"] = 4
        #expect(env.variables["RS_TRADES_MAX_DELIVER"] == "4")
        #expect(try PipelineEnvironment(parsing: env.variables, consumers: ["trades"]).maxDeliver["trades"] == 4)
    }

    @Test(arguments: ["0", "-1", "x", "1e3", "101", ""])
    func anUnboundedOrUnreadableMaxDeliverIsAnErrorNamingTheVariable(value: String) {
        let c = ConnectionConfig(natsURLs: ["nats://127.0.0.1:4222"], clickHouseURL: "http://127.0.0.1:8123")
        if value.isEmpty {
            #expect((try? PipelineOptions.resolve(consumers: ["trades"], environment: ["RS_TRADES_MAX_DELIVER": value], connection: c))?.consumers[0].maxDeliver == 5,
                    "an empty variable is unset")
            return
        }
        do {
            _ = try PipelineOptions.resolve(consumers: ["trades"], environment: ["RS_TRADES_MAX_DELIVER": value], connection: c)
            Issue.record("RS_TRADES_MAX_DELIVER=\(value) was accepted")
        } catch {
            #expect("\(error)".hasPrefix("RS_TRADES_MAX_DELIVER=\(value): expected a number of deliveries"), "\(error)")
        }
    }

    @Test func onlyMessagesWithAJetStreamAckReplyAreDeliveries() {
        #expect(PullConsumer.isDelivery(reply: "$JS.ACK.TRADES.trades-to-clickhouse.1.5.5.1763800000000000000.0"))
        #expect(!PullConsumer.isDelivery(reply: nil), "a pull status (404, 408, 409) has no reply subject")
        #expect(!PullConsumer.isDelivery(reply: "_INBOX.abc.1"))
        #expect(!PullConsumer.isDelivery(reply: ""))
    }

    @Test func rowRangesSplitABatchAtItsNewlines() {
        var b = InsertBatch()
        b.append(row: #"{"a":"x\ny"}"#)
        b.append(row: #"{"a":2}"#)
        let r = b.rowRanges
        #expect(r.count == 2)
        #expect(String(decoding: b.bytes[r[0]], as: UTF8.self) == #"{"a":"x\ny"}"#, "escaped newlines stay inside the row")
        var c = InsertBatch()
        for x in r { c.append(rowBytes: b.bytes[x]) }
        #expect(c.bytes == b.bytes && c.rowCount == 2)
    }

    @Test func aPartitionLimitSplitsByMonthIntoPiecesOfAtMostFiftyMonths() {
        var b = InsertBatch()
        for i in 0..<360 {
            let month = i % 120
            b.append(row: #"{"event_time":"\#(2030 + month / 12)-\#(String(format: "%02d", month % 12 + 1))-01 00:00:00.000","i":\#(i)}"#)
        }
        let ranges = b.rowRanges
        let e = Self.server(252, "Too many partitions for single INSERT block (more than 100)")
        let pieces = BatchSplit.pieces(Array(0..<360), label: "", after: e, budget: 5, ranges: ranges, bytes: b.bytes)
        #expect(pieces.count == 3)
        #expect(Set(pieces.flatMap(\.rows)) == Set(0..<360), "every row is in exactly one piece")
        #expect(pieces.map(\.rows.count).reduce(0, +) == 360)
        for p in pieces {
            let months = Set(p.rows.map { BatchSplit.partitionKey(b.bytes[ranges[$0]]) })
            #expect(months.count <= BatchSplit.partitionsPerPiece)
            #expect(p.budget == 5)
        }
        #expect(Set(pieces.map(\.label)).count == 3, "each piece gets its own deduplication token")
    }

    @Test func badRowsAndExhaustedTransientErrorsSplitInHalves() {
        var b = InsertBatch()
        for i in 0..<9 { b.append(row: #"{"event_time":1763800000000,"i":\#(i)}"#) }
        let halves = BatchSplit.pieces(Array(0..<9), label: "x", after: Self.server(41), budget: 4, ranges: b.rowRanges, bytes: b.bytes)
        #expect(halves.map(\.rows.count).sorted() == [4, 5])
        #expect(halves.allSatisfy { $0.budget == 4 })
        #expect(Set(halves.map(\.label)) == ["xa", "xb"])
        let tired = BatchSplit.pieces(Array(0..<9), label: "", after: Self.server(241), budget: 4, ranges: b.rowRanges, bytes: b.bytes)
        #expect(tired.allSatisfy { $0.budget == 1 }, "after a transient error used its budget, each half gets one try")
        let one = BatchSplit.pieces(Array(0..<9), label: "", after: Self.server(252, "Too many partitions for single INSERT block"), budget: 2,
                                    ranges: b.rowRanges, bytes: b.bytes)
        #expect(one.count == 2, "rows of one partition cannot be split by partition: halves")
    }

    @Test func theColumnAParseErrorNamesBecomesTheField() {
        let e = Self.server(41, "Cannot parse DateTime: (while reading the value of key event_time): (at row 3)")
        #expect(RefusedRow.field(in: e) == "event_time")
        #expect(RefusedRow.field(in: Self.server(27, "Cannot parse input")) == "$")
        let r = RefusedRow(source: 0, error: e, attempts: 3).validationError(table: "trades", note: " (delivery 5 of at most 5)")
        #expect(r.field == "event_time")
        #expect(r.message.contains("trades refused the row after 3 attempts (delivery 5 of at most 5)"), "\(r.message)")
        #expect(r.message.contains("ClickHouse error 41"), "\(r.message)")
    }

    @Test func deadLetterHeadersStayOneBoundedLine() {
        let long = String(repeating: "é", count: 2000) + "\r\nInjected: yes"
        let v = DeadLetterCopy.headerValue(long)
        #expect(v.utf8.count <= DeadLetterCopy.maxHeaderValue)
        #expect(!v.contains("\r") && !v.contains("\n"))
        #expect(DeadLetterCopy.headerValue("line\nbreak") == "line break")
        #expect(DeadLetterCopy.headerBytes([("A", "b")], messageID: nil) == 12 + 1 + 2 + 1 + 2)
    }
}
