import AttributionCore
import XCTest

/// The rules for changing an existing affiliate (`affiliates set`, the Affiliates tab's `E`, the
/// store) and for the Stripe metadata key (`program set`, the Settings form, the store).
final class AffiliateFieldsTests: XCTestCase {
    func refusal(_ f: () throws -> Any) -> SettingError? {
        do { _ = try f(); return nil } catch { return error as? SettingError }
    }

    func testEmailsAreReadByOneRule() {
        XCTAssertEqual(try AffiliateFields.parseEmail("  pay@zoe.example "), "pay@zoe.example")
        XCTAssertEqual(try AffiliateFields.parseEmail("Zoë.Müller+pay@例え.jp"), "Zoë.Müller+pay@例え.jp")
        let table: [(String, String)] = [
            ("", "must not be empty"),
            ("zoe at example.com", "must not contain a space"),
            ("zoe@exa\u{1B}[5mmple.com", "must not contain a control or format character"),
            ("zoe@\u{202E}moc.example", "must not contain a control or format character"),
            ("zoe@example", "\"zoe@example\" is not an address like name@example.com (the domain after @ needs a dot)"),
            ("zoe@.example", "\"zoe@.example\" is not an address like name@example.com (the domain after @ needs a dot)"),
            ("zoe@example..com", "\"zoe@example..com\" is not an address like name@example.com (the domain after @ needs a dot)"),
            ("@example.com", "\"@example.com\" is not an address like name@example.com"),
            ("a@b@example.com", "\"a@b@example.com\" is not an address like name@example.com"),
            (String(repeating: "a", count: 250) + "@x.io", "is 255 bytes long; at most 254 are allowed"),
        ]
        for (typed, message) in table {
            XCTAssertEqual(refusal { try AffiliateFields.parseEmail(typed) }, SettingError(field: "email", message: message), typed)
        }
    }

    func testNamesAreReadByOneRule() {
        XCTAssertEqual(try AffiliateFields.parseName(" Ana 🚀 Growth Lab "), "Ana 🚀 Growth Lab")
        XCTAssertEqual(refusal { try AffiliateFields.parseName("   ") }, SettingError(field: "name", message: "must not be empty"))
        XCTAssertEqual(refusal { try AffiliateFields.parseName("a\u{0}b") }, SettingError(field: "name", message: "must not contain a NUL character"))
        XCTAssertEqual(refusal { try AffiliateFields.parseName(String(repeating: "é", count: 201)) },
                       SettingError(field: "name", message: "is 201 characters long; at most 200 are allowed"))
    }

    func testAChangeIsValidatedAppliedAndDescribed() throws {
        let before = AffiliateValues(name: "Zoë Müller", email: "zoe@partners.example", commission: nil)
        let change = try AffiliateChange(name: " Zoë M. ", email: .remove, commission: .set(.percent(basisPoints: 3000))).validated()
        XCTAssertEqual(change.name, "Zoë M.", "trimmed by the rule")
        let after = change.applied(to: before)
        XCTAssertEqual(after, AffiliateValues(name: "Zoë M.", email: nil, commission: .percent(basisPoints: 3000)))
        XCTAssertEqual(after.differences(from: before, program: .percent(basisPoints: 2000)).map { "\($0.field): \($0.before) → \($0.after)" },
                       ["name: Zoë Müller → Zoë M.", "email: zoe@partners.example → none", "commission: the program's (20%) → 30%"])
        XCTAssertEqual(after.differences(from: before).last?.before, "program", "as the audit log keeps it")
        XCTAssertTrue(AffiliateChange().isEmpty)
        XCTAssertTrue(AffiliateChange().applied(to: before).differences(from: before).isEmpty)
        XCTAssertEqual(refusal { try AffiliateChange(commission: .set(.percent(basisPoints: 10_001))).validated() }?.field, "commission")
        XCTAssertEqual(refusal { try AffiliateChange(commission: .set(.fixed(Money(minor: -1, currency: .usd)))).validated() },
                       SettingError(field: "commission", message: "must not be negative"))
        XCTAssertEqual(refusal { try AffiliateChange(email: .set("nope")).validated() }?.field, "email")
        XCTAssertEqual(refusal { try AffiliateChange(name: "").validated() }?.field, "name")
    }

    func testTheStripeMetadataKeyRule() {
        XCTAssertEqual(try SettingRules.parseMetadataKey(" uid "), "uid")
        XCTAssertEqual(try SettingRules.parseMetadataKey(String(repeating: "k", count: 40)), String(repeating: "k", count: 40))
        let table: [(String, String)] = [
            ("", "must not be empty"),
            ("   ", "must not be empty"),
            (String(repeating: "k", count: 41), "is 41 characters long; Stripe allows at most 40"),
            ("customer[key]", "must not contain square brackets (Stripe refuses them in keys)"),
            ("cust\u{7}omer", "must not contain a control or format character"),
            ("cust\u{202E}omer", "must not contain a control or format character"),
        ]
        for (typed, message) in table {
            XCTAssertEqual(refusal { try SettingRules.parseMetadataKey(typed) }, SettingError(field: "metadata-key", message: message), typed)
        }
    }
}
