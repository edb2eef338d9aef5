import AttributionCore
import GRDB

/// Reads a stored raw payload again into a core event, as the feed it came from would (the
/// front ends pass `Reparse.event` from Feeds; the store does not know the feeds).
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

/// The result of replaying a stored event under today's settings.
public struct ReplayResult: Hashable, Sendable {
    /// The event replayed (a replay of a replay replays the original).
    public var original: EventRow
    public var decision: Decision
    /// The inbox entry the replay was recorded as; nil when it had been replayed before with
    /// the same settings and the same outcome, so nothing was written.
    public var replayEventID: Int64?
    /// The affiliate the decision concerns.
    public var affiliateCode: String?
    public var alreadyReplayed: Bool { replayEventID == nil }
}

/// A conversion event turned into an admin's manual conversion: what it would credit.
public struct ManualDraft: Hashable, Sendable {
    public typealias CreditedBy = ManualCredit.Source
    public var eventID: Int64
    public var externalID: String
    public var amount: Money
    public var at: Instant
    /// The tracked customer it is for; nil for a one-off.
    public var customerKey: String?
    /// A customer key the event names that is not tracked (the conversion is then a one-off).
    public var untrackedCustomerKey: String?
    /// Who would be credited, and why: the customer's affiliate, the click's, or the affiliate
    /// the event concerned. Nil when nothing names one: the admin must.
    public var affiliateCode: String?
    public var creditedBy: CreditedBy
    public init(eventID: Int64, externalID: String, amount: Money, at: Instant, customerKey: String? = nil,
                untrackedCustomerKey: String? = nil, affiliateCode: String? = nil, creditedBy: CreditedBy) {
        self.eventID = eventID; self.externalID = externalID; self.amount = amount; self.at = at; self.customerKey = customerKey
        self.untrackedCustomerKey = untrackedCustomerKey; self.affiliateCode = affiliateCode; self.creditedBy = creditedBy
    }
    /// Nothing in the draft names whom to credit: the admin must (`ManualCredit.needsAffiliate`).
    public var needsAffiliate: Bool { ManualCredit.needsAffiliate(customerKey: customerKey, drafted: affiliateCode) }
}

extension Store {
    /// The event id of the replay link ("replay-of:12") kept in `event_ref`.
    static let replayRefPrefix = "replay-of:"

    /// The upper bound of a prefix range: every string starting with `p` sorts in [p, bound).
    static func prefixBound(_ p: String) -> String { p + "\u{10FFFF}" }

    /// The condition matching an event that mentions an identifier, exactly or by prefix, as its
    /// customer key, external id, click id or an adapter's reference. Range conditions, so each
    /// column's index serves them.
    static func identifierCondition(_ f: String) -> (sql: String, arguments: [DatabaseValueConvertible?]) {
        let hi = prefixBound(f)
        return ("""
            (e.customer_key >= ? AND e.customer_key < ?) OR (e.external_id >= ? AND e.external_id < ?)
             OR (e.click_ref >= ? AND e.click_ref < ?) OR e.id IN (SELECT event_id FROM event_ref WHERE ref >= ? AND ref < ?)
            """, [f, hi, f, hi, f, hi, f, hi])
    }

    // MARK: Triage

    /// The chain for an identifier: every event that mentions it (customer key, external id,
    /// click id, or a Stripe / WooCommerce id kept in `event_ref`) in time order with what today's
    /// settings would decide, the clicks and customers involved, the conversions and the admin
    /// changes. At most `limit` events (the newest).
    public func triage(_ query: String, limit: Int = 1000, reparse: Reparser) throws -> TriageReport {
        try read { db in
            let settings = try self.loadSettings(db)
            var report = TriageReport(query: query, settings: settings, now: self.clock.now())
            // An unreadable event has no identifiers of its own: its raw text is searched (those
            // are few, and indexed by reason).
            var events = try EventRow.fetchAll(db, sql: """
                SELECT * FROM event WHERE customer_key = ? OR external_id = ? OR click_ref = ?
                  OR id IN (SELECT event_id FROM event_ref WHERE ref = ?)
                  OR id IN (SELECT id FROM event WHERE outcome = 'rejected' AND reason = 'invalid_event' AND raw LIKE ? ESCAPE '\\')
                ORDER BY COALESCE(at, received_at) DESC, id DESC LIMIT ?
                """, arguments: [query, query, query, query, likePattern(query), limit + 1])
            if events.count > limit { report.truncated = true; events.removeLast(events.count - limit) }
            events.reverse()
            func exists(_ sql: String) throws -> Bool { try Bool.fetchOne(db, sql: sql, arguments: [query]) ?? false }
            if try exists("SELECT EXISTS (SELECT 1 FROM customer WHERE key = ?)") || events.contains(where: { $0.customerKey == query }) {
                report.matches.append(.customerKey)
            }
            if try exists("SELECT EXISTS (SELECT 1 FROM conversion WHERE external_id = ?)") || events.contains(where: { $0.externalID == query }) {
                report.matches.append(.externalID)
            }
            if try exists("SELECT EXISTS (SELECT 1 FROM click WHERE click_id = ?)") || events.contains(where: { $0.clickRef == query }) {
                report.matches.append(.clickID)
            }
            if try exists("SELECT EXISTS (SELECT 1 FROM event_ref WHERE ref = ?)") { report.matches.append(.reference) }
            try self.explain(db, &report, events: events, reparse: reparse)
            if report.events.contains(where: { t in
                t.event.reason == .invalidEvent && t.event.customerKey == nil && t.event.externalID == nil && t.event.clickRef == nil
                    && !t.refs.contains(query)
            }) {
                report.matches.append(.invalidPayload)
            }
            if !report.found { report.suggestions = try self.identifiers(db, startingWith: query, limit: 10) }
            return report
        }
    }

    /// One inbox event explained as triage explains it: its click and customer, what today's
    /// settings would decide, the replay it came from.
    public func triage(eventID: Int64, reparse: Reparser) throws -> TriageReport? {
        try read { db in
            guard let e = try EventRow.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [eventID]) else { return nil }
            var report = TriageReport(query: "#\(eventID)", settings: try self.loadSettings(db), now: self.clock.now())
            try self.explain(db, &report, events: [e], reparse: reparse, byQuery: false)
            return report
        }
    }

    /// Fills a report's clicks, customers, conversions, audit and per-event explanations; with
    /// `byQuery`, the query itself counts as a customer key, click id and external id too.
    func explain(_ db: Database, _ report: inout TriageReport, events: [EventRow], reparse: Reparser, byQuery: Bool = true) throws {
        var affiliates: [Int64: AffiliateRow] = [:]
        for a in try AffiliateRow.fetchAll(db, sql: "SELECT * FROM affiliate") { affiliates[a.id] = a }
        let chain = TriageChain(db: db, store: self, settings: report.settings, now: report.now, query: report.query, byQuery: byQuery,
                                events: events, affiliates: affiliates)
        let customers = try chain.customers()
        report.customers = customers
        let clicks = try chain.clicks(customers: customers)
        report.clicks = clicks.list
        let conversions = try chain.conversions()
        report.conversions = conversions.rows.sorted { ($0.at, $0.id) < ($1.at, $1.id) }
        report.audit = try chain.audit(customers: customers, externalIDs: conversions.externalIDs).sorted { $0.id < $1.id }
        report.events = try chain.explained(refs: try chain.eventRefs(), clicks: clicks.byID, conversions: conversions.byID,
                                            reparse: reparse)
    }

    /// Identifiers that start with `prefix`, for "did you mean".
    func identifiers(_ db: Database, startingWith prefix: String, limit: Int) throws -> [String] {
        guard !prefix.isEmpty else { return [] }
        let hi = Store.prefixBound(prefix)
        return try String.fetchAll(db, sql: """
            SELECT v FROM (
              SELECT key AS v FROM customer WHERE key >= ?1 AND key < ?2
              UNION SELECT external_id FROM event WHERE external_id >= ?1 AND external_id < ?2
              UNION SELECT external_id FROM conversion WHERE external_id >= ?1 AND external_id < ?2
              UNION SELECT click_ref FROM event WHERE click_ref >= ?1 AND click_ref < ?2
              UNION SELECT customer_key FROM event WHERE customer_key >= ?1 AND customer_key < ?2
              UNION SELECT ref FROM event_ref WHERE ref >= ?1 AND ref < ?2 AND ref NOT LIKE 'replay-of:%'
            ) ORDER BY v LIMIT ?3
            """, arguments: [prefix, hi, limit])
    }

    // MARK: Replay

    /// Decides a stored event again under today's settings and applies it if accepted, exactly as
    /// an ingest would: its effects and a new inbox entry (source "replay", linked to the
    /// original), with an audit entry. It can never pay twice: a conversion already credited is
    /// refused by the core as a duplicate external id. The inbox entry's key is the original,
    /// today's settings and the outcome, so replaying again after something changed is recorded
    /// again, while the same replay with the same outcome writes nothing.
    public func replay(eventID: Int64, who: String, reparse: Reparser) throws -> ReplayResult {
        try write { db in
            guard var original = try EventRow.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [eventID]) else {
                throw StoreError.notFound(what: "event", value: "#\(eventID)")
            }
            // A replay of a replay replays the original.
            if original.source == "replay", let root = try self.replayOrigin(db, original.id),
               let row = try EventRow.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [root]) {
                original = row
            }
            guard let event = reparse(original.source, original.raw) else {
                throw StoreError.invalid(field: "event #\(original.id)",
                                         message: "its \(original.source) payload does not read as an event, so it cannot be replayed"
                                            + (original.reason == .invalidEvent ? "; fix it at the source and ingest it again" : ""))
            }
            if let f = event.nulField {
                throw StoreError.invalid(field: "event #\(original.id)", message: "\(f) contains a NUL character; it cannot be replayed")
            }
            let work = try UnitOfWork(db, store: self)
            let d = try work.engine.decide(event, facts: work.facts)
            let affiliate = (d.conversion?.affiliateID ?? d.affiliateID).flatMap { work.facts.affiliate(id: $0)?.code }
            let key = "replay:\(original.id):" + Store.fnv(work.engine.settings.summary + "\n" + Store.signature(d))
            if try work.facts.isRecorded(key) {
                return ReplayResult(original: original, decision: d, replayEventID: nil, affiliateCode: affiliate)
            }
            var refs = try String.fetchAll(db, sql: "SELECT ref FROM event_ref WHERE event_id = ? AND ref NOT LIKE 'replay-of:%'",
                                           arguments: [original.id])
            refs.append(Store.replayRefPrefix + String(original.id))
            let inbound = InboundEvent(source: "replay", type: original.type, raw: original.raw, dedupeKey: key,
                                       file: original.file, line: original.line, payload: .event(event), refs: refs)
            let recorded = try work.decideAndApply(inbound, describe: { d in
                var r = d
                r.detail = "replay of event #\(original.id)" + (d.detail.map { "; \($0)" } ?? "")
                return r
            }, audit: { d, id in
                AuditEntry(who: who, action: "event.replay", target: "event #\(original.id)",
                           before: Store.outcomeText(original.outcome, original.reasonCode, commission: nil),
                           after: Store.outcomeText(d.outcome, d.reason?.rawValue, commission: d.conversion?.commission)
                               + (affiliate.map { " \($0)" } ?? "") + " (event #\(id))",
                           detail: d.detail)
            })
            let id = recorded?.eventID
            return ReplayResult(original: original, decision: d, replayEventID: id, affiliateCode: affiliate)
        }
    }

    /// The event a replay replayed.
    func replayOrigin(_ db: Database, _ id: Int64) throws -> Int64? {
        try String.fetchOne(db, sql: "SELECT ref FROM event_ref WHERE event_id = ? AND ref LIKE 'replay-of:%'", arguments: [id])
            .flatMap { Int64($0.dropFirst(Store.replayRefPrefix.count)) }
    }

    static func outcomeText(_ outcome: Decision.Outcome, _ reason: String?, commission: Money?) -> String {
        outcome.rawValue + (reason.map { " \($0)" } ?? "") + (commission.map { " commission \($0)" } ?? "")
    }

    /// Everything a decision would write or say, as text: two decisions with the same signature
    /// are the same outcome.
    static func signature(_ d: Decision) -> String {
        var parts = [d.outcome.rawValue, d.reason?.rawValue ?? "", d.notes.map(\.rawValue).joined(separator: ","), d.detail ?? ""]
        if let c = d.conversion { parts.append("conversion \(c.externalID) \(c.amount) \(c.commission) \(c.affiliateID)") }
        if let c = d.newCustomer { parts.append("customer \(c.key) \(c.affiliateID) \(c.status.rawValue)") }
        if let s = d.statusChange { parts.append("status \(s.from.rawValue)->\(s.to.rawValue)") }
        if let c = d.newClick { parts.append("click \(c.clickID) \(c.affiliateID)") }
        return parts.joined(separator: "|")
    }

    /// 64-bit FNV-1a, as 16 hex digits.
    static func fnv(_ s: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    // MARK: Manual conversion from an event

    /// What adding a stored conversion event by hand would credit: its external id, amount, time
    /// and customer, and the affiliate (the tracked customer's, else the click's, else the one the
    /// event concerned).
    public func manualDraft(eventID: Int64, reparse: Reparser) throws -> ManualDraft {
        try read { db in
            guard var row = try EventRow.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [eventID]) else {
                throw StoreError.notFound(what: "event", value: "#\(eventID)")
            }
            if row.source == "replay", let root = try self.replayOrigin(db, row.id),
               let r = try EventRow.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [root]) {
                row.source = r.source
            }
            guard let event = reparse(row.source, row.raw) else {
                throw StoreError.invalid(field: "event #\(eventID)", message: "its \(row.source) payload does not read as an event")
            }
            guard case .conversion(let c) = event else {
                throw StoreError.invalid(field: "event #\(eventID)",
                                         message: "it is a \(event.kind.rawValue), not a conversion; only a conversion can be added by hand")
            }
            var draft = ManualDraft(eventID: eventID, externalID: c.externalID, amount: c.amount, at: c.at, creditedBy: .none)
            func code(_ id: Int64?) throws -> String? {
                guard let id else { return nil }
                return try String.fetchOne(db, sql: "SELECT code FROM affiliate WHERE id = ?", arguments: [id])
            }
            var customerAffiliate: String?
            if let key = c.customerKey {
                if let aff = try Int64.fetchOne(db, sql: "SELECT affiliate_id FROM customer WHERE key = ?", arguments: [key]) {
                    draft.customerKey = key
                    customerAffiliate = try code(aff)
                } else {
                    draft.untrackedCustomerKey = key
                }
            }
            let clickAffiliate = try c.clickID.flatMap {
                try Int64.fetchOne(db, sql: "SELECT affiliate_id FROM click WHERE click_id = ?", arguments: [$0])
            }
            (draft.affiliateCode, draft.creditedBy) = ManualCredit.drafted(customerAffiliate: customerAffiliate,
                                                                           clickAffiliate: try code(clickAffiliate),
                                                                           eventAffiliate: try code(row.affiliateID))
            return draft
        }
    }

    /// Adds a draft as an admin's manual conversion (audited), crediting `affiliateCode` when
    /// given, else whom the draft names. Refusals come back as the core's decision.
    public func addManualConversion(_ draft: ManualDraft, affiliateCode: String? = nil, amount: Money? = nil,
                                    who: String) throws -> Decision {
        let credit = ManualCredit.affiliateToCredit(chosen: affiliateCode, customerKey: draft.customerKey, drafted: draft.affiliateCode)
        return try addManualConversion(externalID: draft.externalID, amount: amount ?? draft.amount, customerKey: draft.customerKey,
                                       affiliateCode: credit, at: draft.at, who: who,
                                       detail: "by hand from event #\(draft.eventID)")
    }
}

/// The parts of a triage report around a chain of events, each read on its own.
struct TriageChain {
    let db: Database
    let store: Store
    let settings: ProgramSettings
    let now: Instant
    let query: String
    let byQuery: Bool
    let events: [EventRow]
    let affiliates: [Int64: AffiliateRow]

    /// Adapter references and replay links, per event.
    func eventRefs() throws -> [Int64: [String]] {
        var refs: [Int64: [String]] = [:]
        if !events.isEmpty {
            let ids = events.map(\.id)
            for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for r in try Row.fetchAll(db, sql: "SELECT event_id, ref FROM event_ref WHERE event_id IN (\(marks)) ORDER BY ref",
                                          arguments: StatementArguments(chunk)) {
                    refs[r[0], default: []].append(r[1])
                }
            }
        }

        return refs
    }

    /// The identifier itself, and every customer the events name.
    func customers() throws -> [TriageCustomer] {
        var customerKeys: [String] = []
        func addKey(_ k: String?) { if let k, !customerKeys.contains(k) { customerKeys.append(k) } }
        if byQuery { addKey(query) }
        for e in events { addKey(e.customerKey) }
        var customers: [TriageCustomer] = []
        var seenCustomers = Set<Int64>()
        func addCustomer(_ row: CustomerRow?) throws {
            guard let row, seenCustomers.insert(row.id).inserted, customers.count < 50 else { return }
            let click = try String.fetchOne(db, sql: "SELECT click_id FROM customer WHERE id = ?", arguments: [row.id])
            customers.append(TriageCustomer(row: row, clickID: click, progress: settings.caps.progress(row.capHistory, now: now)))
        }
        for k in customerKeys {
            try addCustomer(try CustomerRow.fetchOne(db, sql: Store.customerSelect + " WHERE c.key = ?", arguments: [k]))
        }
        for id in Set(events.compactMap(\.customerID)).sorted() {
            try addCustomer(try CustomerRow.fetchOne(db, sql: Store.customerSelect + " WHERE c.id = ?", arguments: [id]))
        }
        return customers
    }

    /// The identifier itself, the clicks the events name, the customers' own.
    func clicks(customers: [TriageCustomer]) throws -> (list: [TriageClick], byID: [String: (at: Instant, affiliate: Int64)]) {
        var clickIDs: [String] = []
        func addClick(_ c: String?) { if let c, !clickIDs.contains(c) { clickIDs.append(c) } }
        if byQuery, try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM click WHERE click_id = ?)", arguments: [query]) == true {
            addClick(query)
        }
        for e in events { addClick(e.clickRef) }
        for c in customers { addClick(c.clickID) }
        var clicks: [String: (at: Instant, affiliate: Int64)] = [:]
        for id in clickIDs.prefix(50) {
            if let r = try Row.fetchOne(db, sql: "SELECT at, affiliate_id FROM click WHERE click_id = ?", arguments: [id]) {
                clicks[id] = (Instant(seconds: r[0]), r[1])
            }
        }
        let list = clickIDs.prefix(50).map { id in
            var t = TriageClick(clickID: id, recorded: clicks[id] != nil)
            if let c = clicks[id] {
                t.at = c.at
                t.affiliateCode = affiliates[c.affiliate]?.code
                t.affiliateName = affiliates[c.affiliate]?.name
                // Measured at the last event that used it, else when it attributed its customer.
                if let e = events.last(where: { $0.clickRef == id && $0.type != "click" && $0.at != nil }), let at = e.at {
                    t.ageEventID = e.id
                    t.age = ClickAge(click: c.at, at: at, windowDays: settings.windowDays)
                } else if let customer = customers.first(where: { $0.clickID == id }) {
                    t.ageCustomerKey = customer.row.key
                    t.age = ClickAge(click: c.at, at: customer.row.createdAt, windowDays: settings.windowDays)
                }
            }
            return t
        }

        return (list, clicks)
    }

    /// The identifier, the events' external ids, the ones the events credited.
    func conversions() throws -> (rows: [ConversionRow], byID: [Int64: ConversionRow], externalIDs: [String]) {
        var conversions: [ConversionRow] = []
        var seenConversions = Set<Int64>()
        var externalIDs: [String] = []
        func addExternal(_ x: String?) { if let x, !externalIDs.contains(x) { externalIDs.append(x) } }
        if byQuery { addExternal(query) }
        for e in events { addExternal(e.externalID) }
        for x in externalIDs.prefix(1000) {
            if let v = try ConversionRow.fetchOne(db, sql: Store.conversionSelect + " WHERE v.external_id = ?", arguments: [x]),
               seenConversions.insert(v.id).inserted {
                conversions.append(v)
            }
        }
        var byID: [Int64: ConversionRow] = Dictionary(uniqueKeysWithValues: conversions.map { ($0.id, $0) })
        for id in Set(events.compactMap(\.conversionID)).subtracting(byID.keys).sorted() {
            if let v = try ConversionRow.fetchOne(db, sql: Store.conversionSelect + " WHERE v.id = ?", arguments: [id]) {
                byID[id] = v
                if seenConversions.insert(v.id).inserted { conversions.append(v) }
            }
        }
        return (conversions, byID, externalIDs)
    }

    /// Admin changes: to the identifier, the customers, the external ids, the events.
    func audit(customers: [TriageCustomer], externalIDs: [String]) throws -> [AuditRow] {
        var targets = Set(byQuery ? [query] : [])
        targets.formUnion(customers.map(\.row.key))
        targets.formUnion(externalIDs)
        targets.formUnion(events.map { "event #\($0.id)" })
        let targetList = Array(targets).sorted()
        var audit: [AuditRow] = []
        for chunk in stride(from: 0, to: targetList.count, by: 500).map({ Array(targetList[$0..<min($0 + 500, targetList.count)]) }) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            audit += try AuditRow.fetchAll(db, sql: "SELECT * FROM audit WHERE target IN (\(marks))", arguments: StatementArguments(chunk))
        }
        return audit
    }

    /// Each event: its click's age, its conversion, and what today's settings would decide.
    func explained(refs: [Int64: [String]], clicks: [String: (at: Instant, affiliate: Int64)], conversions byID: [Int64: ConversionRow],
                   reparse: Reparser) throws -> [TriageEvent] {
        let work = try UnitOfWork(db, store: store, settings: settings)
        var sources: [Int64: String] = [:]
        return try events.map { e in
            var t = TriageEvent(event: e, refs: (refs[e.id] ?? []).filter { !$0.hasPrefix(Store.replayRefPrefix) })
            t.replayOf = (refs[e.id] ?? []).lazy.filter { $0.hasPrefix(Store.replayRefPrefix) }
                .compactMap { Int64($0.dropFirst(Store.replayRefPrefix.count)) }.first
            t.affiliateCode = e.affiliateID.flatMap { affiliates[$0]?.code }
            t.conversion = e.conversionID.flatMap { byID[$0] }
            if e.type != "click", let ref = e.clickRef, let c = clicks[ref], let at = e.at {
                t.clickAge = ClickAge(click: c.at, at: at, windowDays: settings.windowDays)
            }
            // A replay carries its original's payload; read it as the original's feed would.
            var source = e.source
            if let original = t.replayOf {
                if sources[original] == nil {
                    sources[original] = try String.fetchOne(db, sql: "SELECT source FROM event WHERE id = ?", arguments: [original])
                }
                source = sources[original] ?? source
            }
            if let ev = reparse(source, e.raw), ev.nulField == nil {
                let d = try work.engine.decide(ev, facts: work.facts)
                t.wouldNow = d
                t.wouldNowAffiliate = (d.conversion?.affiliateID ?? d.affiliateID).flatMap { affiliates[$0]?.code }
            }
            return t
        }
    }
}
