import AttributionCore
import Foundation
import GRDB

extension Store {
    /// The event id of the replay link ("replay-of:12") kept in `event_ref`.
    static let replayRefPrefix = "replay-of:"

    /// The upper bound of a prefix range: every string starting with `p` sorts in [p, bound).
    static func prefixBound(_ p: String) -> String { p + "\u{10FFFF}" }

    /// The Triage filter: events naming an identifier that starts with `f` (customer key,
    /// external id, click id, any Stripe or WooCommerce id the feed read, kept in `event_ref`),
    /// the events of a customer whose email starts with `f`, and events refused as invalid whose
    /// raw payload holds `f` as words, the last one by prefix (a full-text index). Each through an
    /// index.
    static func eventMatch(_ f: String) -> IndexedMatch {
        let key = prefixRange("customer_key", f), ext = prefixRange("external_id", f), click = prefixRange("click_ref", f)
        let ref = prefixRange("ref", f), email = prefixRange("m.email", f)
        let rowKey = prefixRange("e.customer_key", f, unindexed: true), rowExt = prefixRange("e.external_id", f, unindexed: true)
        let rowClick = prefixRange("e.click_ref", f, unindexed: true), rowRef = prefixRange("r.ref", f)
        var ids = """
            SELECT id FROM event WHERE \(key.sql) UNION ALL SELECT id FROM event WHERE \(ext.sql)
            UNION ALL SELECT id FROM event WHERE \(click.sql) UNION ALL SELECT event_id FROM event_ref WHERE \(ref.sql)
            UNION ALL SELECT n.id FROM customer m CROSS JOIN event n ON n.customer_id = m.id WHERE \(email.sql)
            """
        var idArguments = key.arguments + ext.arguments + click.arguments + ref.arguments + email.arguments
        // An event refused as invalid that names no identifier (the newest by time when it has no
        // time of its own: thousands of them ahead of every other event) is tested by its id
        // alone, from the small index of those events, so a walk of the time index does not read
        // its row (schema v22): only its `event_ref` entries and its words can match.
        var row = """
            CASE WHEN e.id IN (SELECT id FROM event INDEXED BY event_invalid_time WHERE outcome = 'rejected' AND reason = 'invalid_event'
                                 AND customer_key IS NULL AND external_id IS NULL AND click_ref IS NULL AND customer_id IS NULL)
            THEN EXISTS (SELECT 1 FROM event_ref r WHERE r.event_id = e.id AND \(rowRef.sql))
            ELSE \(rowKey.sql) OR \(rowExt.sql) OR \(rowClick.sql)
             OR EXISTS (SELECT 1 FROM event_ref r WHERE r.event_id = e.id AND \(rowRef.sql))
             OR EXISTS (SELECT 1 FROM customer m WHERE m.id = e.customer_id AND \(email.sql)) END
            """
        var rowArguments = rowRef.arguments + rowKey.arguments + rowExt.arguments + rowClick.arguments + rowRef.arguments + email.arguments
        if let phrase = invalidTextPhrase(f) {
            ids += " UNION ALL SELECT rowid FROM event_invalid_text WHERE event_invalid_text MATCH ?"
            idArguments.append(phrase)
            row = "e.id IN (SELECT rowid FROM event_invalid_text WHERE event_invalid_text MATCH ?) OR " + row
            rowArguments = [phrase] + rowArguments
        }
        var m = IndexedMatch(idColumn: "e.id", ids: ids, idArguments: idArguments, row: row, rowArguments: rowArguments)
        m.sorted = eventMatchTimes(f)
        m.idsAreRows = true
        return m
    }

    /// The events `eventMatch(f)` names, each once, with its time (`eventTime`, the Triage
    /// order), read from the identifier indexes' entries (schema v22): a customer key, external id
    /// or click id range, a customer's events by email, the invalid events' own index for each
    /// full-text match, and `event_ref`'s own entries for a Stripe or WooCommerce id (schema v25,
    /// `RefTimeSchema`).
    static func eventMatchTimes(_ f: String) -> SortedIds {
        let time = "COALESCE(n.at, n.received_at)"
        let key = prefixRange("n.customer_key", f), ext = prefixRange("n.external_id", f), click = prefixRange("n.click_ref", f)
        let ref = prefixRange("r.ref", f), email = prefixRange("m.email", f)
        var sql = """
            SELECT n.id AS id, \(time) AS t FROM event n WHERE \(key.sql)
            UNION SELECT n.id, \(time) FROM event n WHERE \(ext.sql) UNION SELECT n.id, \(time) FROM event n WHERE \(click.sql)
            UNION SELECT r.event_id, COALESCE(r.at, r.received_at) FROM event_ref r WHERE \(ref.sql)
            UNION SELECT n.id, \(time) FROM customer m CROSS JOIN event n ON n.customer_id = m.id WHERE \(email.sql)
            """
        var arguments = key.arguments + ext.arguments + click.arguments + ref.arguments + email.arguments
        if let phrase = invalidTextPhrase(f) {
            sql += """

                UNION SELECT n.id, \(time) FROM event_invalid_text x CROSS JOIN event n INDEXED BY event_invalid_time ON n.id = x.rowid
                  WHERE x.event_invalid_text MATCH ? AND n.outcome = 'rejected' AND n.reason = 'invalid_event'
                """
            arguments.append(phrase)
        }
        return SortedIds(sql: sql, arguments: arguments)
    }

    /// `text` as an FTS5 query of the invalid payloads' words: the words of `text` in a row, the
    /// last one by prefix ("cus_09" finds "cus_0999"); `exact`: the last one whole. Nil when
    /// `text` has no letter or digit (no word to look for).
    static func invalidTextPhrase(_ text: String, exact: Bool = false) -> String? {
        guard text.unicodeScalars.contains(where: { CharacterSet.alphanumerics.contains($0) }) else { return nil }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" + (exact ? "" : " *")
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
            // An unreadable event has no identifiers of its own: the words of its raw text are
            // searched through their full-text index. A customer's email finds its events.
            let phrase = Store.invalidTextPhrase(query, exact: true)
            var events = try EventRow.fetchAll(db, sql: """
                SELECT * FROM event WHERE customer_key = ? OR external_id = ? OR click_ref = ?
                  OR id IN (SELECT event_id FROM event_ref WHERE ref = ?)
                  OR customer_id IN (SELECT id FROM customer WHERE email = ?)
                  \(phrase == nil ? "" : "OR id IN (SELECT rowid FROM event_invalid_text WHERE event_invalid_text MATCH ?)")
                ORDER BY COALESCE(at, received_at) DESC, id DESC LIMIT ?
                """, arguments: StatementArguments([query, query, query, query, query] + (phrase.map { [$0] } ?? []) + [limit + 1]))
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
        // The affiliates the chain names, read when first named (a program has thousands).
        let affiliates = AffiliateLookup(db)
        let chain = TriageChain(db: db, store: self, settings: report.settings, now: report.now, query: report.query, byQuery: byQuery,
                                events: events, affiliates: affiliates)
        let customers = try chain.customers()
        report.customers = customers
        let clicks = try chain.clicks(customers: customers)
        report.clicks = clicks.list
        let conversions = try chain.conversions()
        report.conversions = conversions.rows.sorted { ($0.at, $0.id) < ($1.at, $1.id) }
        report.ledger = try conversionLedgers(db, report.conversions.map(\.id), now: report.now)
        report.audit = try chain.audit(customers: customers, externalIDs: conversions.externalIDs).sorted { $0.id < $1.id }
        report.events = try chain.explained(refs: try chain.eventRefs(), clicks: clicks.byID, conversions: conversions.byID,
                                            reparse: reparse)
        let resolutions = try resolutions(db, eventIDs: events.filter { $0.outcome == .rejected }.map(\.id))
        for i in report.events.indices { report.events[i].resolution = resolutions[report.events[i].event.id] }
    }

    /// Up to `limit` Stripe and WooCommerce ids kept in `event_ref` that start with `prefix`, in
    /// order, each once (replay links left out): for `bench dashboard`'s reference searches.
    public func references(startingWith prefix: String, limit: Int) throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: """
                SELECT DISTINCT ref FROM event_ref WHERE ref >= ? AND ref < ? AND ref NOT LIKE 'replay-of:%' ORDER BY ref LIMIT ?
                """, arguments: [prefix, Store.prefixBound(prefix), max(0, limit)])
        }
    }

    /// Identifiers that start with `prefix`, for "did you mean".
    func identifiers(_ db: Database, startingWith prefix: String, limit: Int) throws -> [String] {
        guard !prefix.isEmpty else { return [] }
        let hi = Store.prefixBound(prefix)
        return try String.fetchAll(db, sql: """
            SELECT v FROM (
              SELECT * FROM (SELECT key AS v FROM customer WHERE key >= ?1 AND key < ?2 ORDER BY key LIMIT ?3)
              UNION SELECT * FROM (SELECT DISTINCT external_id FROM event WHERE external_id >= ?1 AND external_id < ?2 ORDER BY external_id LIMIT ?3)
              UNION SELECT * FROM (SELECT external_id FROM conversion WHERE external_id >= ?1 AND external_id < ?2 ORDER BY external_id LIMIT ?3)
              UNION SELECT * FROM (SELECT DISTINCT click_ref FROM event WHERE click_ref >= ?1 AND click_ref < ?2 ORDER BY click_ref LIMIT ?3)
              UNION SELECT * FROM (SELECT DISTINCT customer_key FROM event WHERE customer_key >= ?1 AND customer_key < ?2
                                   ORDER BY customer_key LIMIT ?3)
              UNION SELECT * FROM (SELECT DISTINCT ref FROM event_ref WHERE ref >= ?1 AND ref < ?2 AND ref NOT LIKE 'replay-of:%'
                                   ORDER BY ref LIMIT ?3)
            ) ORDER BY v LIMIT ?3
            """, arguments: [prefix, hi, limit])
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
    let affiliates: AffiliateLookup

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
        let list = try clickIDs.prefix(50).map { id in
            var t = TriageClick(clickID: id, recorded: clicks[id] != nil)
            if let c = clicks[id] {
                t.at = c.at
                t.affiliateCode = try affiliates.row(c.affiliate)?.code
                t.affiliateName = try affiliates.row(c.affiliate)?.name
                // Measured at the last event that used it, else when it attributed its customer.
                if let e = events.last(where: { $0.clickRef == id && $0.kind != .click && $0.at != nil }), let at = e.at {
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
            audit += try AuditRow.fetchAll(db, sql: TriageChain.auditSQL(chunk.count), arguments: StatementArguments(chunk))
        }
        return audit
    }

    /// The admin changes to `count` targets, through the audit's target index (schema v23: the
    /// table has a row per admin change, 10,000 at a million customers, 234 pages read cold by
    /// every event's detail when it was scanned).
    static func auditSQL(_ count: Int) -> String {
        "SELECT * FROM audit WHERE target IN (\(Array(repeating: "?", count: max(1, count)).joined(separator: ",")))"
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
            t.affiliateCode = try e.affiliateID.flatMap { try affiliates.row($0)?.code }
            t.conversion = e.conversionID.flatMap { byID[$0] }
            if e.kind != .click, let ref = e.clickRef, let c = clicks[ref], let at = e.at {
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
                t.wouldNowAffiliate = try (d.conversion?.affiliateID ?? d.affiliateID).flatMap { try affiliates.row($0)?.code }
            }
            return t
        }
    }
}

/// Affiliates by id, each read once, when first asked for.
final class AffiliateLookup {
    private let db: Database
    private var rows: [Int64: AffiliateRow?] = [:]
    init(_ db: Database) { self.db = db }

    func row(_ id: Int64) throws -> AffiliateRow? {
        if let known = rows[id] { return known }
        let r = try AffiliateRow.fetch(db, id: id)
        rows[id] = r
        return r
    }
}
