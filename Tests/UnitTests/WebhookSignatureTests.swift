import Pipeline
import Testing

/// Webhook signing with swift-crypto's HMAC-SHA256, checked in constant time; no secret, no start.
@Suite("Webhook signatures")
struct WebhookSignatureTests {
    /// RFC 4231 test cases 1, 2, 3 and 6 (a key longer than the block size).
    @Test(arguments: [
        ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ])
    func rfc4231Vectors(key: [UInt8], message: [UInt8], expected: String) {
        #expect(WebhookSignature.hex(key: key, message: message) == expected)
    }

    @Test func stringFormMatchesRFC4231Case2() {
        #expect(WebhookSignature.hex(key: "Jefe", message: "what do ya want for nothing?")
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func signedBodyVerifiesAndTamperingDoesNot() {
        let header = WebhookSignature.header(secret: "s3cret", timestamp: "1700000000000", body: #"{"alert":1}"#)
        #expect(header.hasPrefix("sha256="))
        #expect(header.count == 7 + 64)
        #expect(WebhookSignature.isValid(header: header, secret: "s3cret", timestamp: "1700000000000", body: #"{"alert":1}"#))
        #expect(!WebhookSignature.isValid(header: header, secret: "s3cret", timestamp: "1700000000000", body: #"{"alert":2}"#))
        #expect(!WebhookSignature.isValid(header: header, secret: "s3cret", timestamp: "1700000000001", body: #"{"alert":1}"#))
        #expect(!WebhookSignature.isValid(header: header, secret: "other", timestamp: "1700000000000", body: #"{"alert":1}"#))
        var flipped = Array(header)
        flipped[flipped.count - 1] = flipped.last == "0" ? "1" : "0"
        #expect(!WebhookSignature.isValid(header: String(flipped), secret: "s3cret", timestamp: "1700000000000", body: #"{"alert":1}"#))
        #expect(!WebhookSignature.isValid(header: "sha256=zz", secret: "s3cret", timestamp: "1700000000000", body: #"{"alert":1}"#))
        #expect(!WebhookSignature.isValid(header: "", secret: "s3cret", timestamp: "1700000000000", body: #"{"alert":1}"#))
    }

    @Test func emptySecretIsRefusedUnlessUnsignedIsAsked() throws {
        var s = WebhookSettings()
        s.endpoints = [WebhookEndpoint(url: "http://127.0.0.1:9/alerts")]
        do {
            try s.validate()
            Issue.record("an empty secret was accepted")
        } catch {
            #expect(error.description.contains("RS_WEBHOOK_SECRET"))
            #expect(error.description.contains("--unsigned-webhooks"))
        }
        s.unsigned = true
        try s.validate()
        s.unsigned = false
        s.secret = "x"
        try s.validate()
    }
}
