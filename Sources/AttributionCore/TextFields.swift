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
    /// Every text field the event carries, in the order the checks go through them.
    public var textFields: [EventTextField] { Array(sequence(state: 0) { i in defer { i += 1 }; return textField(i) }) }

    /// The event's `i`th text field (nil past the last): the one list both
    /// `Engine.malformedField` (blank identifiers) and `nulField` read, one field at a time so
    /// that checking an event allocates nothing.
    public func textField(_ i: Int) -> EventTextField? {
        switch (self, i) {
        case (.click(let c), 0): return .init("click_id", c.clickID)
        case (.click(let c), 1): return .init("affiliate", c.affiliateCode, blankName: "affiliate code")
        case (.track(let t), 0): return .init("customer_key", t.customerKey)
        case (.track(let t), 1): return .init("click_id", t.clickID)
        case (.track(let t), 2): return .init("email", t.email, identifier: false)
        case (.conversion(let c), 0): return .init("external_id", c.externalID)
        case (.conversion(let c), 1): return .init("customer_key", c.customerKey)
        case (.conversion(let c), 2): return .init("click_id", c.clickID)
        case (.conversion(let c), 3): return .init("subscription_id", c.subscriptionID)
        case (.conversion(let c), 4): return .init("parent_id", c.parentExternalID)
        case (.cancel(let c), 0): return .init("customer_key", c.customerKey)
        case (.cancel(let c), 1): return .init("subscription_id", c.subscriptionID)
        case (.subscription(let s), 0): return .init("subscription_id", s.subscriptionID)
        case (.subscription(let s), 1): return .init("parent_id", s.parentExternalID)
        case (.subscription(let s), 2): return .init("customer_key", s.customerKey)
        default: return nil
        }
    }

    /// The first text field that passes `test`.
    public func firstTextField(where test: (EventTextField) -> Bool) -> EventTextField? {
        var i = 0
        while let f = textField(i) {
            if test(f) { return f }
            i += 1
        }
        return nil
    }

    /// The first text field holding a NUL, if any. SQLite's C API ends text at a NUL: an
    /// identifier holding one would be stored cut short and collide with another ("bob\u{0}x"
    /// with "bob"). Refused at the door, whatever the adapter.
    public var nulField: String? {
        firstTextField { $0.value?.utf8.contains(0) ?? false }?.name
    }
}
