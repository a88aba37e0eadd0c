@testable import ClickHouse
import Pipeline
import Testing
import Zstd

@Suite("ClickHouse errors, encoding and compression")
struct ClickHouseErrorTests {
    @Test func parsesClickHouseErrorText() {
        let body = "Code: 60. DB::Exception: Table default.nope does not exist. (UNKNOWN_TABLE) (version 26.9.2.1)\n"
        let e = ClickHouseError.parse(status: 500, body: body, headerCode: "60", query: "SELECT 1", url: "u")
        guard case .server(let code, let name, let message, _) = e else { Issue.record("\(e)"); return }
        #expect(code == 60)
        #expect(name == "UNKNOWN_TABLE")
        #expect(message == "Table default.nope does not exist")
        #expect(!e.isRetryable)
    }

    @Test func takesTheCodeFromTheBodyWhenTheHeaderIsMissing() {
        let e = ClickHouseError.parse(status: 500, body: "Code: 252. DB::Exception: Too many parts (600). (TOO_MANY_PARTS)", headerCode: nil, query: "", url: "u")
        #expect(e.code == 252)
        #expect(e.isRetryable)
    }

    @Test func nonClickHouseErrorsStayHTTPErrors() {
        let e = ClickHouseError.parse(status: 502, body: "<html>Bad Gateway</html>", headerCode: nil, query: "", url: "http://x")
        guard case .http(502, _, _) = e else { Issue.record("\(e)"); return }
        #expect(e.isRetryable)
    }

    @Test func percentEncodesQueryParameters() {
        #expect(ClickHouseClient.percentEncode("INSERT INTO t FORMAT JSONEachRow") == "INSERT%20INTO%20t%20FORMAT%20JSONEachRow")
        #expect(ClickHouseClient.percentEncode("a&b=c/é") == "a%26b%3Dc%2F%C3%A9")
    }

    @Test func zstdRoundTrips() throws {
        let input = Array((0..<100_000).map { UInt8(truncatingIfNeeded: $0 % 251) })
        let packed = try Zstd.compress(input)
        #expect(packed.count < input.count / 10)
        #expect(try Zstd.decompress(packed) == input)
        #expect(throws: Zstd.Failure.self) { try Zstd.decompress(Array(packed.prefix(packed.count / 2))) }
    }

    @Test func backoffGrowsThenCaps() {
        var b = Backoff(initial: .milliseconds(100), maximum: .seconds(2))
        let delays = (0..<10).map { _ in b.next() }
        #expect(delays[0] >= .milliseconds(50) && delays[0] <= .milliseconds(100))
        #expect(delays[3] >= .milliseconds(400) && delays[3] <= .milliseconds(800))
        #expect(delays.allSatisfy { $0 <= .seconds(2) })
        #expect(delays[9] >= .seconds(1), "capped delays stay in [cap/2, cap]")
    }
}

@Suite struct ClickHouseLiteralTests {
    @Test func textFromAMessageStaysOneStringLiteral() {
        #expect(ClickHouseClient.literal("plain-id") == "'plain-id'")
        #expect(ClickHouseClient.literal("a'b") == #"'a\'b'"#)
        #expect(ClickHouseClient.literal(#"x\' OR 1=1 --"#) == #"'x\\\' OR 1=1 --'"#)
        #expect(ClickHouseClient.literal("nul\0") == #"'nul\0'"#)
    }
}
