import AttributionCore
@testable import AttributionStore
import Foundation
import GRDB
import XCTest

/// Keyset paging: walking page by page, either way, gives exactly the rows of one big query.
final class PagingTests: StoreTestCase {
    /// 70 customers over three affiliates with many ties in every sort column: a third with no
    /// conversion (and so no commission currency), equal amounts and equal instants.
    func dataset() throws -> Store {
        let s = try store()
        var lines: [String] = []
        let affs = ["alice", "bob", "carol"]
        var n = 0
        for i in 0..<70 {
            let key = "u" + (i < 10 ? "0" : "") + String(i)
            // Many customers share a click time and a tracking time.
            let clickAt = t0.adding(seconds: Int64(i % 4) * 60)
            lines.append(Line.click("c\(i)", affs[i % 3], clickAt))
            lines.append(Line.track("trial", key, click: "c\(i)", clickAt.adding(seconds: 60)))
            for k in 0..<(i % 4) {
                n += 1
                let amount = ["10.00", "20.00", "20.00", "35.50"][(i + k) % 4]
                lines.append(Line.conversion("x\(1000 - n)", amount, customer: key, t0.adding(seconds: Int64(k + i % 3) * 86_400)))
            }
            if i % 7 == 0 { lines.append(Line.cancel(key, t0.adding(seconds: 9 * 86_400))) }
        }
        // One-offs by click (no customer).
        for j in 0..<8 { lines.append(Line.conversion("one\(j)", "20.00", click: "c\(j)", t0.adding(seconds: 86_400))) }
        let r = try ingest(s, lines)
        XCTAssertEqual(r.rejected, 0, "\(r.byReason)")
        return s
    }

    func walkForward<T>(_ limit: Int, _ fetch: (PageRequest) throws -> [T], cursor: (T) -> AttributionStore.Cursor) throws -> [T] {
        var out: [T] = []
        var page = PageRequest.first(limit)
        for _ in 0..<10_000 {
            let rows = try fetch(page)
            XCTAssertLessThanOrEqual(rows.count, limit)
            out += rows
            guard rows.count == limit, let last = rows.last else { return out }
            page = PageRequest(after: cursor(last), direction: .forward, limit: limit)
        }
        XCTFail("paging does not end")
        return out
    }

    func walkBackward<T>(_ limit: Int, _ fetch: (PageRequest) throws -> [T], cursor: (T) -> AttributionStore.Cursor) throws -> [T] {
        var out: [T] = []
        var page = PageRequest.last(limit)
        for _ in 0..<10_000 {
            let rows = try fetch(page)
            XCTAssertLessThanOrEqual(rows.count, limit)
            out = rows + out
            guard rows.count == limit, let first = rows.first else { return out }
            page = PageRequest(after: cursor(first), direction: .backward, limit: limit)
        }
        XCTFail("paging does not end")
        return out
    }

    /// Independent of SQL: the key a sort orders by, then the id.
    func customerKey(_ c: CustomerRow, _ sort: CustomerSort) -> (String, Int64, Int64) {
        switch sort {
        case .key: return (c.key, 0, c.id)
        case .affiliate: return ("", c.affiliateID, c.id)
        case .status: return (c.status.rawValue, 0, c.id)
        case .conversions: return ("", Int64(c.conversions), c.id)
        case .commission: return ("", c.commission?.minor ?? 0, c.id)
        case .activity: return ("", c.lastActivityAt.seconds, c.id)
        }
    }

    func conversionKey(_ v: ConversionRow, _ sort: ConversionSort) -> (String, Int64, Int64) {
        switch sort {
        case .date: return ("", v.at.seconds, v.id)
        case .externalID: return (v.externalID, 0, v.id)
        case .affiliate: return ("", v.affiliateID, v.id)
        case .amount: return ("", v.amount.minor, v.id)
        case .commission: return ("", v.commission.minor, v.id)
        }
    }

    func testCustomersEverySortBothWaysWithAndWithoutFilters() throws {
        let s = try dataset()
        let everyone = try allCustomers(s)
        XCTAssertEqual(everyone.count, 70)
        let alice = try XCTUnwrap(try s.affiliate(code: "alice")?.id)
        let filters: [(CustomerQuery, (CustomerRow) -> Bool)] = [
            (CustomerQuery(), { _ in true }),
            (CustomerQuery(filter: "bob"), { $0.affiliateCode == "bob" }),
            (CustomerQuery(filter: "u1"), { $0.key.hasPrefix("u1") }),
            (CustomerQuery(status: .active), { $0.status == .active }),
            (CustomerQuery(affiliateID: alice), { $0.affiliateID == alice }),
            (CustomerQuery(filter: "nobody-matches"), { _ in false }),
        ]
        var checked = 0
        for (base, keep) in filters {
            for sort in CustomerSort.allCases {
                for descending in [false, true] {
                    var q = base
                    q.sort = sort
                    q.descending = descending
                    let label = "\(sort) \(descending ? "desc" : "asc") filter=\(base.filter) status=\(String(describing: base.status))"
                    let all = try s.customers(q, page: .first(10_000))
                    // The big query itself: the right rows, in the right order.
                    var expected = everyone.filter(keep).sorted { customerKey($0, sort) < customerKey($1, sort) }
                    if descending { expected.reverse() }
                    XCTAssertEqual(all.map(\.id), expected.map(\.id), label)
                    XCTAssertEqual(try s.customerCount(q), expected.count, label)
                    for limit in [1, 7, 70] {
                        let forward = try walkForward(limit, { try s.customers(q, page: $0) }, cursor: { $0.cursor(sort) })
                        XCTAssertEqual(forward.map(\.id), all.map(\.id), "forward \(limit) \(label)")
                        let backward = try walkBackward(limit, { try s.customers(q, page: $0) }, cursor: { $0.cursor(sort) })
                        XCTAssertEqual(backward.map(\.id), all.map(\.id), "backward \(limit) \(label)")
                    }
                    checked += 1
                }
            }
        }
        XCTAssertEqual(checked, filters.count * CustomerSort.allCases.count * 2)
    }

    func testConversionsEverySortBothWaysWithAndWithoutFilters() throws {
        let s = try dataset()
        let everything = try allConversions(s)
        XCTAssertGreaterThan(everything.count, 100)
        let u05 = try customer(s, "u05").id
        let bob = try XCTUnwrap(try s.affiliate(code: "bob")?.id)
        let filters: [(ConversionQuery, (ConversionRow) -> Bool)] = [
            (ConversionQuery(), { _ in true }),
            (ConversionQuery(filter: "one"), { $0.externalID.hasPrefix("one") }),
            (ConversionQuery(filter: "carol"), { $0.affiliateCode == "carol" }),
            (ConversionQuery(customerID: u05), { $0.customerID == u05 }),
            (ConversionQuery(affiliateID: bob), { $0.affiliateID == bob }),
        ]
        for (base, keep) in filters {
            for sort in ConversionSort.allCases {
                for descending in [false, true] {
                    var q = base
                    q.sort = sort
                    q.descending = descending
                    let label = "\(sort) \(descending ? "desc" : "asc") filter=\(base.filter)"
                    let all = try s.conversions(q, page: .first(10_000))
                    var expected = everything.filter(keep).sorted { conversionKey($0, sort) < conversionKey($1, sort) }
                    if descending { expected.reverse() }
                    XCTAssertEqual(all.map(\.id), expected.map(\.id), label)
                    XCTAssertEqual(try s.conversionCount(q), expected.count, label)
                    for limit in [1, 7] {
                        let forward = try walkForward(limit, { try s.conversions(q, page: $0) }, cursor: { $0.cursor(sort) })
                        XCTAssertEqual(forward.map(\.id), all.map(\.id), "forward \(limit) \(label)")
                        let backward = try walkBackward(limit, { try s.conversions(q, page: $0) }, cursor: { $0.cursor(sort) })
                        XCTAssertEqual(backward.map(\.id), all.map(\.id), "backward \(limit) \(label)")
                    }
                }
            }
        }
    }

    func testInclusivePagesStartAtTheCursorRow() throws {
        let s = try dataset()
        let q = CustomerQuery(sort: .conversions, descending: true)
        let all = try s.customers(q, page: .first(10_000))
        for k in [0, 1, 13, 40, 69] {
            let fromK = try s.customers(q, page: PageRequest(after: all[k].cursor(.conversions), limit: 7, inclusive: true))
            XCTAssertEqual(fromK.map(\.id), all[k..<min(all.count, k + 7)].map(\.id), "from \(k)")
            let toK = try s.customers(q, page: PageRequest(after: all[k].cursor(.conversions), direction: .backward, limit: 7,
                                                           inclusive: true))
            XCTAssertEqual(toK.map(\.id), all[max(0, k - 6)...k].map(\.id), "up to \(k)")
        }
    }

    func testEventsPageNewestFirst() throws {
        let s = try dataset()
        for q in [EventQuery(), EventQuery(reason: "customer_key_ignored"), EventQuery(filter: "u13"), EventQuery(filter: "c1"),
                  EventQuery(rejectedOnly: true)] {
            let all = try s.events(q, page: .first(100_000))
            XCTAssertEqual(all.map(\.id), all.map(\.id).sorted(by: >))
            XCTAssertEqual(try s.eventCount(q), all.count)
            XCTAssertEqual(try walkForward(7, { try s.events(q, page: $0) }, cursor: { $0.cursor }).map(\.id), all.map(\.id))
            XCTAssertEqual(try walkBackward(7, { try s.events(q, page: $0) }, cursor: { $0.cursor }).map(\.id), all.map(\.id))
        }
        XCTAssertEqual(try s.events(EventQuery(filter: "u13")).count, 2, "u13's trial and its one conversion")
        // Identifiers by prefix (schema v7; an affiliate's code is not an event's identifier).
        XCTAssertEqual(try s.events(EventQuery(filter: "c1")).count, 11 + 11 + 1, "clicks c1 and c10-c19, their trials, one1 by c1")
    }

    func testAuditPagesNewestFirst() throws {
        let s = try store()
        for i in 0..<20 { _ = try s.addAffiliate(code: "a\(i)", name: "A \(i)", who: "t") }
        let all = try s.audit(page: .first(1000))
        XCTAssertEqual(all.count, 24)
        XCTAssertEqual(try walkForward(7, { try s.audit(page: $0) }, cursor: { $0.cursor }).map(\.id), all.map(\.id))
        XCTAssertEqual(try walkBackward(7, { try s.audit(page: $0) }, cursor: { $0.cursor }).map(\.id), all.map(\.id))
    }

    func testAffiliatesEverySortBothWays() throws {
        let s = try dataset()
        for i in 0..<9 { _ = try s.addAffiliate(code: "z\(i % 3)\(i)", name: i % 2 == 0 ? "Same Name" : "Ünïcode \(i)", who: "t") }
        let everyone = try s.affiliateSummaries()
        XCTAssertEqual(everyone.count, 12)
        for sort in AffiliateSort.allCases {
            for descending in [false, true] {
                for filter in ["", "z", "Same"] {
                    let q = AffiliateQuery(sort: sort, descending: descending, filter: filter)
                    let all = try s.affiliateSummaries(q, page: .first(1000))
                    func key(_ a: AffiliateSummary) -> (String, Int64, Int64) {
                        switch sort {
                        case .code: return (a.affiliate.code, 0, a.affiliate.id)
                        case .name: return (a.affiliate.name, 0, a.affiliate.id)
                        case .customers: return ("", Int64(a.customers), a.affiliate.id)
                        case .conversions: return ("", Int64(a.conversions), a.affiliate.id)
                        case .earnings: return ("", a.earnings, a.affiliate.id)
                        }
                    }
                    var expected = everyone.filter { filter.isEmpty || $0.affiliate.code.contains(filter) || $0.affiliate.name.contains(filter) }
                        .sorted { key($0) < key($1) }
                    if descending { expected.reverse() }
                    let label = "\(sort) \(descending) \(filter)"
                    XCTAssertEqual(all.map(\.affiliate.id), expected.map(\.affiliate.id), label)
                    XCTAssertEqual(try s.affiliateCount(q), expected.count, label)
                    XCTAssertEqual(try walkForward(2, { try s.affiliateSummaries(q, page: $0) }, cursor: { $0.cursor(sort) })
                        .map(\.affiliate.id), all.map(\.affiliate.id), label)
                    XCTAssertEqual(try walkBackward(2, { try s.affiliateSummaries(q, page: $0) }, cursor: { $0.cursor(sort) })
                        .map(\.affiliate.id), all.map(\.affiliate.id), label)
                }
            }
        }
    }

    func testFilterWildcardsAreLiteral() throws {
        let s = try store()
        try ingest(s, [Line.click("c1", "alice"), Line.click("c2", "bob"),
                       Line.track("signup", "50%_off", click: "c1"), Line.track("signup", "50Xoff", click: "c2")])
        // Keys match by prefix (schema v7: through the key's index), wildcards literally.
        XCTAssertEqual(try s.customers(CustomerQuery(filter: "50%")).map(\.key), ["50%_off"])
        XCTAssertEqual(try s.customers(CustomerQuery(filter: "50%_")).map(\.key), ["50%_off"])
        XCTAssertEqual(try s.customers(CustomerQuery(filter: "50_")).map(\.key), [])
        XCTAssertEqual(Set(try s.customers(CustomerQuery(filter: "50")).map(\.key)), ["50%_off", "50Xoff"])
        // Affiliates' codes and names still match anywhere (affiliates are few), wildcards literally.
        XCTAssertEqual(try s.customers(CustomerQuery(filter: "%")).map(\.key), [])
        XCTAssertEqual(try s.customers(CustomerQuery(filter: "lic")).map(\.key), ["50%_off"])
    }

    // MARK: NULL sort values

    struct Item: FetchableRecord, Equatable {
        var id: Int64
        var v: Int64?
        init(row: Row) { id = row["id"]; v = row["v"] }
        var cursor: AttributionStore.Cursor { Cursor(int: v, id: id) }
    }

    /// The keyset over a column with NULLs and ties: NULLs first ascending, last descending, and
    /// no row lost or repeated at any page boundary.
    func testNullSortValues() throws {
        let s = try store()
        let values: [Int64?] = [nil, 3, nil, 1, 3, nil, 2, 1, nil, 3, 2, nil, 1, 5, nil]
        try s.write { db in
            try db.execute(sql: "CREATE TABLE paging_probe (id INTEGER PRIMARY KEY, v INTEGER)")
            for v in values { try db.execute(sql: "INSERT INTO paging_probe (v) VALUES (?)", arguments: [v]) }
        }
        for descending in [false, true] {
            let k = Keyset(select: "SELECT * FROM paging_probe p", sortExpr: "p.v", idExpr: "p.id", descending: descending)
            let fetch: (PageRequest) throws -> [Item] = { page in try s.read { db in try k.fetch(db, page) } }
            let all = try fetch(.first(1000))
            // Expected, without SQL: NULL is smallest.
            var expected = values.enumerated().map { (id: Int64($0.offset + 1), v: $0.element) }
                .sorted { ($0.v ?? Int64.min, $0.id) < ($1.v ?? Int64.min, $1.id) }.map(\.id)
            if descending { expected.reverse() }
            XCTAssertEqual(all.map(\.id), expected, "descending \(descending)")
            for limit in [1, 2, 3, 4, 7] {
                XCTAssertEqual(try walkForward(limit, fetch, cursor: { $0.cursor }).map(\.id), expected, "forward \(limit) \(descending)")
                XCTAssertEqual(try walkBackward(limit, fetch, cursor: { $0.cursor }).map(\.id), expected, "backward \(limit) \(descending)")
            }
            // Inclusive pages starting on a NULL row.
            let nullIndex = try XCTUnwrap(all.firstIndex { $0.v == nil && $0.id == 6 })
            let fromNull = try fetch(PageRequest(after: all[nullIndex].cursor, limit: 3, inclusive: true))
            XCTAssertEqual(fromNull.map(\.id), Array(all[nullIndex..<min(all.count, nullIndex + 3)].map(\.id)))
        }
    }
}
