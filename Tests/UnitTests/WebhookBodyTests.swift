import Alerting
import Foundation
@testable import Pipeline
import RiskSignalCore
import Testing

@Suite("Webhook bodies, signatures and enrichment")
struct WebhookBodyTests {
    let alert = RiskAlert(id: "order_velocity-user:42-1", rule: "order_velocity", severity: "warning", key: "user:42", observed: 25,
                          threshold: 20, windowSeconds: 10, eventTime: 1_795_000_000_000_000_000, intendedTime: 1_794_999_999_900_000_000, detail: [:])

    @Test func jsonBodyCarriesTheAlertAndTheUsersNameAndTier() throws {
        let body = WebhookHandler.body(alert, format: .json, users: ["42": ("Ada Lovelace", "vip")])
        let v = try JSONParser.parse(Array(body.utf8))
        #expect(v["user"]?["name"] == .string("Ada Lovelace"))
        #expect(v["user"]?["tier"] == .string("vip"))
        #expect(v["alert"]?["rule"] == .string("order_velocity"))
        #expect(v["alert"]?["intended_time"] == .int(1_794_999_999_900_000_000))
    }

    @Test func slackBodyIsOneReadableLine() throws {
        let body = WebhookHandler.body(alert, format: .slack, users: ["42": ("Ada Lovelace", "vip")])
        guard case .string(let text)? = try JSONParser.parse(Array(body.utf8))["text"] else { Issue.record("no text"); return }
        #expect(text.contains("WARNING"))
        #expect(text.contains("order_velocity on user:42 (Ada Lovelace, vip)"))
    }

    @Test func usersFileErrorsNameTheFileAndEntry() throws {
        let path = NSTemporaryDirectory() + "users-\(UUID().uuidString).json"
        try #"{"42": {"name": "Ada", "tier": "vip"}, "7": {"tier": "basic"}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ValidationError.self) { try WebhookSettings.loadUsers(path: path) }
        do { _ = try WebhookSettings.loadUsers(path: path) } catch { #expect(error.field.hasSuffix(": 7")) }
    }

    @Test func hmacMatchesRFC4231() {
        // RFC 4231 test case 2.
        #expect(WebhookSignature.hex(key: "Jefe", message: "what do ya want for nothing?") == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
