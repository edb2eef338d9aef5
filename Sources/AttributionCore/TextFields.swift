/// One text field of an event, as the checks at the door see it.
public struct EventTextField: Hashable, Sendable {
    /// The field's name as the feeds spell it (and the inbox's `field` column records it).
    public var name: String
    /// How a message names it when it is blank, when that differs from `name`.
    public var blankName: String
    public var value: String?
    /// An identifier must not be blank when present; free text (an email) may be.
    public var isIdentifier: Bool

    init(_ name: String, _ value: String?, blankName: String? = nil, identifier: Bool = true) {
        self.name = name; self.blankName = blankName ?? name; self.value = value; self.isIdentifier = identifier
    }
}

extension Event {
    /// Every text field the event carries, in the order the checks go through them: the one list
    /// both `Engine.malformedField` (blank identifiers) and `nulField` read.
    public var textFields: [EventTextField] {
        switch self {
        case .click(let c):
            return [.init("click_id", c.clickID), .init("affiliate", c.affiliateCode, blankName: "affiliate code")]
        case .track(let t):
            return [.init("customer_key", t.customerKey), .init("click_id", t.clickID), .init("email", t.email, identifier: false)]
        case .conversion(let c):
            return [.init("external_id", c.externalID), .init("customer_key", c.customerKey), .init("click_id", c.clickID),
                    .init("subscription_id", c.subscriptionID), .init("parent_id", c.parentExternalID)]
        case .cancel(let c):
            return [.init("customer_key", c.customerKey), .init("subscription_id", c.subscriptionID)]
        case .subscription(let s):
            return [.init("subscription_id", s.subscriptionID), .init("parent_id", s.parentExternalID),
                    .init("customer_key", s.customerKey)]
        }
    }

    /// The first text field holding a NUL, if any. SQLite's C API ends text at a NUL: an
    /// identifier holding one would be stored cut short and collide with another ("bob\u{0}x"
    /// with "bob"). Refused at the door, whatever the adapter.
    public var nulField: String? {
        textFields.first { $0.value?.utf8.contains(0) ?? false }?.name
    }
}
