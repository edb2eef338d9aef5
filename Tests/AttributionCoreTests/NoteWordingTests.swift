import AttributionCore
import XCTest

/// A note is worded for the outcome of the event it is on.
final class NoteWordingTests: XCTestCase {
    /// Recurring off, a customer key and no click: refused recurring_off with the note
    /// customer_key_ignored, which must not say the event was credited.
    func testCustomerKeyIgnoredOnARefusedEventSaysNothingWasCredited() {
        let refused = Wording.note(.customerKeyIgnored, refused: true)
        XCTAssertFalse(refused.sentence.contains("credited as a one-off"), refused.sentence)
        XCTAssertEqual(refused.sentence, "customer_key ignored: Recurring/Lifetime commissions is off, so the customer's affiliate"
                       + " was not credited; with no click to credit either, nothing was credited.")
        XCTAssertEqual(refused.hint, Reason.recurringOff.hint)
        // On an accepted event (a one-off credited by its click) the note's own sentence stands.
        let accepted = Wording.note(.customerKeyIgnored, refused: false)
        XCTAssertEqual(accepted.sentence, Reason.customerKeyIgnored.sentence)
        XCTAssertEqual(accepted.hint, Reason.customerKeyIgnored.hint)
        // Every other note keeps its sentence either way.
        for n in Reason.allCases where !n.isRefusal && n != .customerKeyIgnored {
            XCTAssertEqual(Wording.note(n, refused: true).sentence, n.sentence)
        }
    }
}
