import AttributionCore

/// Reads a stored raw payload again into a core event, as the feed it came from would (the
/// front ends pass `Reparse.reader` from Feeds; the store does not know the feeds).
public typealias Reparser = (_ source: String, _ raw: String) -> Event?

/// A click the triaged chain mentions: where it came from and how old it was when it was used.
public struct TriageClick: Hashable, Sendable {
    public var clickID: String
    /// False when events name the click but it was never recorded (`unknown_click`).
    public var recorded: Bool
    public var affiliateCode: String?
    public var affiliateName: String?
    public var at: Instant?
    /// Where its age is measured, against today's window: at the last event of the chain that
    /// names it, else when the customer it attributed was tracked.
    public var ageEventID: Int64?
    public var ageCustomerKey: String?
    public var age: ClickAge?
}

/// A customer in the chain, with how far it stands towards each cap today.
public struct TriageCustomer: Hashable, Sendable {
    public var row: CustomerRow
    public var clickID: String?
    public var progress: CapProgress
}

/// One inbox event of the chain, explained.
public struct TriageEvent: Hashable, Sendable {
    public var event: EventRow
    /// For a replay: the event it replayed.
    public var replayOf: Int64?
    /// The adapters' identifiers it carries (Stripe / WooCommerce ids).
    public var refs: [String]
    /// The age of the click it names, at its own time, against today's window.
    public var clickAge: ClickAge?
    /// The conversion it credited, if any.
    public var conversion: ConversionRow?
    /// The affiliate it concerned, if one was found.
    public var affiliateCode: String?
    /// What today's settings would decide if it came again (nil when it cannot be read again).
    public var wouldNow: Decision?
    /// The affiliate that decision concerns.
    public var wouldNowAffiliate: String?
    /// For a rejection fixed since: the replay or manual conversion that resolved it.
    public var resolution: Resolution?
}

/// Everything support needs to answer "my conversion is missing" for one identifier.
public struct TriageReport: Hashable, Sendable {
    /// What the identifier was found as.
    public enum Match: String, CaseIterable, Hashable, Sendable {
        case customerKey = "customer_key", externalID = "external_id", clickID = "click_id", reference
        /// Text in the payload of an event that could not be read (it has no identifiers of its own).
        case invalidPayload = "invalid_payload"
        public var label: String {
            switch self {
            case .customerKey: return "customer key"
            case .externalID: return "external id"
            case .clickID: return "click id"
            case .reference: return "payment reference"
            case .invalidPayload: return "in the text of an unreadable event"
            }
        }
    }

    public var query: String
    public var matches: [Match] = []
    public var settings: ProgramSettings
    public var now: Instant
    public var clicks: [TriageClick] = []
    public var customers: [TriageCustomer] = []
    /// Oldest first.
    public var events: [TriageEvent] = []
    /// Conversions with the identifier (or the chain's external ids) as external id, manual ones included.
    public var conversions: [ConversionRow] = []
    /// Each of those conversions' commission (state, reason), refunds, disputes and clawbacks, by conversion id.
    public var ledger: [Int64: ConversionLedger] = [:]
    /// Admin changes to the chain's customers, conversions and events, oldest first.
    public var audit: [AuditRow] = []
    /// More events mention the identifier than the report holds (it keeps the newest).
    public var truncated = false
    /// When nothing matched: identifiers that start with the query.
    public var suggestions: [String] = []

    public var found: Bool {
        !events.isEmpty || !customers.isEmpty || !conversions.isEmpty || clicks.contains { $0.recorded }
    }
}
