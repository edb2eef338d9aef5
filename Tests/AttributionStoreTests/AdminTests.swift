import AttributionCore
@testable import AttributionStore
import Feeds
import Foundation
import XCTest

final class AdminTests: StoreTestCase {
    /// u1 (alice, active, one conversion), u2 (bob, initial), u3 (alice, ended).
    func world() throws -> Store {
        let s = try store()
        try ingest(s, [
            Line.click("c1", "alice"), Line.click("c2", "bob"),
            Line.track("trial", "u1", click: "c1"), Line.track("trial", "u2", click: "c2"), Line.track("trial", "u3", click: "c1"),
            Line.conversion("o1", "29.00", customer: "u1", t0.adding(seconds: 60)),
            Line.cancel("u3", t0.adding(seconds: 120)),
        ])
        return s
    }

    func testSetStatusAllowedIsAppliedAndAudited() throws {
        let s = try world()
        let d = try s.setStatus(customerKey: "u1", to: .ended, who: "ana")
        XCTAssertTrue(d.isAccepted)
        XCTAssertEqual(d.detail, "Paying -> Canceled")
        XCTAssertEqual(try customer(s, "u1").status, .ended)
        let audit = try XCTUnwrap(try s.audit().first)
        XCTAssertEqual(audit.action, "customer.status")
        XCTAssertEqual(audit.target, "u1")
        XCTAssertEqual(audit.who, "ana")
        XCTAssertEqual(audit.before, "Paying")
        XCTAssertEqual(audit.after, "Canceled")
        XCTAssertEqual(audit.at, now)
        // Ended customers earn nothing more...
        XCTAssertEqual(try ingest(s, [Line.conversion("o2", "10.00", customer: "u1", t0.adding(seconds: 600))]).byReason,
                       ["customer_ended": 1])
        // ...until an admin makes them active again.
        XCTAssertTrue(try s.setStatus(customerKey: "u1", to: .active, who: "ana").isAccepted)
        XCTAssertEqual(try ingest(s, [Line.conversion("o3", "10.00", customer: "u1", t0.adding(seconds: 700))]).accepted, 1)
        XCTAssertEqual(try customer(s, "u1").conversions, 2)
        try assertConsistent(s)
    }

    func testSetStatusRefusedWritesNothing() throws {
        let s = try world()
        let before = try snapshot(s)
        for (key, target) in [("u1", CustomerStatus.initial), ("u2", .active), ("u2", .capped), ("u3", .initial), ("u3", .capped),
                              ("u1", .active)] {
            let d = try s.setStatus(customerKey: key, to: target, who: "ana")
            XCTAssertFalse(d.isAccepted, "\(key) -> \(target)")
            XCTAssertEqual(d.reason, .transitionNotAllowed, "\(key) -> \(target)")
        }
        let d = try s.setStatus(customerKey: "u3", to: .initial, who: "ana")
        XCTAssertEqual(d.detail, "Canceled -> Trial is not allowed; allowed: Paying")
        XCTAssertEqual(try snapshot(s), before)
        XCTAssertThrowsError(try s.setStatus(customerKey: "nobody", to: .ended, who: "ana")) {
            XCTAssertEqual($0 as? StoreError, .notFound(what: "customer", value: "nobody"))
        }
    }

    func testReassignMovesFutureConversionsOnlyAndIsAudited() throws {
        let s = try world()
        let d = try s.reassign(customerKey: "u1", toAffiliate: "bob", who: "bea")
        XCTAssertTrue(d.isAccepted)
        XCTAssertEqual(try customer(s, "u1").affiliateCode, "bob")
        let audit = try XCTUnwrap(try s.audit().first)
        XCTAssertEqual(audit.action, "customer.reassign")
        XCTAssertEqual(audit.target, "u1")
        XCTAssertEqual(audit.who, "bea")
        XCTAssertEqual(audit.before, "alice")
        XCTAssertEqual(audit.after, "bob")
        XCTAssertEqual(audit.detail, "future conversions go to bob; credited ones stay")
        XCTAssertEqual(try s.conversion(externalID: "o1")?.affiliateCode, "alice")
        try ingest(s, [Line.conversion("o2", "10.00", customer: "u1", t0.adding(seconds: 600))])
        XCTAssertEqual(try s.conversion(externalID: "o2")?.affiliateCode, "bob")
        try assertConsistent(s)
    }

    func testReassignRefusals() throws {
        let s = try world()
        try s.setAffiliateDisabled(code: "carol", disabled: true, who: "t")
        let before = try snapshot(s)
        let same = try s.reassign(customerKey: "u1", toAffiliate: "alice", who: "bea")
        XCTAssertEqual(same.reason, .sameAffiliate)
        XCTAssertEqual(same.detail, "the customer already belongs to alice")
        XCTAssertEqual(try s.reassign(customerKey: "u1", toAffiliate: "carol", who: "bea").reason, .affiliateDisabled)
        XCTAssertThrowsError(try s.reassign(customerKey: "u1", toAffiliate: "nobody", who: "bea")) {
            XCTAssertEqual($0 as? StoreError, .notFound(what: "affiliate", value: "nobody"))
        }
        XCTAssertThrowsError(try s.reassign(customerKey: "nobody", toAffiliate: "bob", who: "bea")) {
            XCTAssertEqual($0 as? StoreError, .notFound(what: "customer", value: "nobody"))
        }
        XCTAssertEqual(try snapshot(s), before)
    }

    func testManualConversionForACustomer() throws {
        let s = try world()
        let when = t0.adding(seconds: 86_400)
        let d = try s.addManualConversion(externalID: "bank_1", amount: usd(9900), customerKey: "u1", affiliateCode: nil, at: when,
                                          who: "cy", detail: "annual upgrade by bank transfer")
        XCTAssertTrue(d.isAccepted, "\(d)")
        let v = try XCTUnwrap(try s.conversion(externalID: "bank_1"))
        XCTAssertTrue(v.manual)
        XCTAssertEqual(v.affiliateCode, "alice")
        XCTAssertEqual(v.customerKey, "u1")
        XCTAssertEqual(v.customerNumber, 1)
        XCTAssertEqual(v.amount, usd(9900))
        XCTAssertEqual(v.commission, usd(990))
        XCTAssertEqual(v.at, when)
        let u1 = try customer(s, "u1")
        XCTAssertEqual(u1.conversions, 2)
        XCTAssertEqual(u1.commission, usd(290 + 990))
        let audit = try XCTUnwrap(try s.audit().first)
        XCTAssertEqual(audit.action, "conversion.add")
        XCTAssertEqual(audit.target, "bank_1")
        XCTAssertEqual(audit.who, "cy")
        XCTAssertNil(audit.before)
        XCTAssertEqual(audit.after, "99.00 USD -> alice commission 9.90 USD customer u1")
        XCTAssertEqual(audit.detail, "annual upgrade by bank transfer")
        // Without a time, the clock's.
        XCTAssertTrue(try s.addManualConversion(externalID: "bank_2", amount: usd(100), customerKey: "u1", affiliateCode: nil,
                                                who: "cy").isAccepted)
        XCTAssertEqual(try s.conversion(externalID: "bank_2")?.at, now)
        try assertConsistent(s)
    }

    func testManualConversionForAnAffiliateOrAnotherAffiliate() throws {
        let s = try world()
        XCTAssertTrue(try s.addManualConversion(externalID: "m1", amount: usd(1000), customerKey: nil, affiliateCode: "carol",
                                                who: "cy").isAccepted)
        let m1 = try XCTUnwrap(try s.conversion(externalID: "m1"))
        XCTAssertNil(m1.customerKey)
        XCTAssertEqual(m1.affiliateCode, "carol")
        XCTAssertEqual(m1.commission, usd(500), "carol's fixed commission")
        XCTAssertEqual(try s.audit().first?.after, "10.00 USD -> carol commission 5.00 USD")
        // A customer's conversion credited to someone else: no customer number for that affiliate.
        XCTAssertTrue(try s.addManualConversion(externalID: "m2", amount: usd(1000), customerKey: "u1", affiliateCode: "bob",
                                                who: "cy").isAccepted)
        let m2 = try XCTUnwrap(try s.conversion(externalID: "m2"))
        XCTAssertEqual(m2.affiliateCode, "bob")
        XCTAssertEqual(m2.customerKey, "u1")
        XCTAssertNil(m2.customerNumber)
        XCTAssertEqual(try customer(s, "u1").affiliateCode, "alice", "the customer stays where it was")
        try assertConsistent(s)
    }

    func testManualConversionRefusals() throws {
        let s = try world()
        let auditBefore = try s.auditCount()
        let before = try snapshot(s)
        let cases: [(String, Money, String?, String?, Reason)] = [
            ("o1", usd(100), "u1", nil, .duplicateExternalID),
            ("n1", usd(0), "u1", nil, .invalidAmount),
            ("n2", usd(-5), "u1", nil, .invalidAmount),
            ("n3", usd(100), "ghost", nil, .unknownCustomer),
            ("n4", usd(100), nil, nil, .noAttribution),
            ("n5", usd(100), "u3", nil, .customerEnded),
            ("", usd(100), "u1", nil, .invalidEvent),
        ]
        for (id, amount, key, aff, reason) in cases {
            let d = try s.addManualConversion(externalID: id, amount: amount, customerKey: key, affiliateCode: aff, who: "cy")
            XCTAssertEqual(d.reason, reason, id)
        }
        XCTAssertThrowsError(try s.addManualConversion(externalID: "n6", amount: usd(100), customerKey: nil, affiliateCode: "nobody",
                                                       who: "cy")) {
            XCTAssertEqual($0 as? StoreError, .notFound(what: "affiliate", value: "nobody"))
        }
        XCTAssertEqual(try s.auditCount(), auditBefore)
        XCTAssertEqual(try snapshot(s), before)
    }
}

final class ReadOnlyTests: StoreTestCase {
    func testAReaderReadsWhileAWriterHoldsATransaction() throws {
        let writer = try store()
        try ingest(writer, [Line.click("c1", "alice")])
        let reader = try writer.readOnlyCopy()
        XCTAssertTrue(reader.readOnly)
        XCTAssertTrue(reader.isInitialized)
        let inside = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var writeError: Error?
        DispatchQueue.global().async {
            do {
                try writer.write { db in
                    try db.execute(sql: "INSERT INTO affiliate (code, name, created_at) VALUES ('dave', 'Dave', 0)")
                    inside.signal()
                    release.wait()
                }
            } catch { writeError = error }
            done.signal()
        }
        inside.wait()
        // The writer is inside its transaction: the reader is not blocked and sees the last commit.
        XCTAssertEqual(try reader.affiliates().map(\.code), ["alice", "bob", "carol"])
        XCTAssertEqual(try reader.eventCount(), 1)
        release.signal()
        done.wait()
        XCTAssertNil(writeError)
        XCTAssertEqual(try reader.affiliates().map(\.code), ["alice", "bob", "carol", "dave"])
    }

    func testAReaderSeesAnIngestOnlyOnceItIsCommitted() throws {
        let writer = try store()
        let reader = try writer.readOnlyCopy()
        var seen: [Int] = []
        let lines = (1...50).map { Line.click("c\($0)", "alice") }
        let feed = TrackingFeed(defaultCurrency: .usd, file: "f")
        let inbound = lines.enumerated().compactMap { feed.read(line: $0.element, number: $0.offset + 1) }
        _ = try writer.ingest(inbound, batchSize: 10) { _ in
            // Between batches: every count the reader sees is a whole number of batches.
            seen.append((try? reader.eventCount()) ?? -1)
        }
        XCTAssertEqual(seen, [10, 20, 30, 40, 50])
    }

    func testAReaderCannotWrite() throws {
        let writer = try store()
        try ingest(writer, [Line.click("c1", "alice"), Line.track("trial", "u1", click: "c1")])
        let reader = try writer.readOnlyCopy()
        let before = try snapshot(writer)
        let attempts: [(String, () throws -> Void)] = [
            ("initialize", { try reader.initialize(ProgramSettings(), who: "x") }),
            ("updateSettings", { try reader.updateSettings(ProgramSettings(name: "X"), who: "x") }),
            ("addAffiliate", { _ = try reader.addAffiliate(code: "x", name: "X", who: "x") }),
            ("disable", { try reader.setAffiliateDisabled(code: "bob", disabled: true, who: "x") }),
            ("ingest", { _ = try self.ingest(reader, [Line.click("c9", "alice")]) }),
            ("setStatus", { _ = try reader.setStatus(customerKey: "u1", to: .ended, who: "x") }),
            ("reassign", { _ = try reader.reassign(customerKey: "u1", toAffiliate: "bob", who: "x") }),
            ("manual", { _ = try reader.addManualConversion(externalID: "m", amount: usd(100), customerKey: "u1", affiliateCode: nil,
                                                            who: "x") }),
        ]
        for (name, attempt) in attempts {
            XCTAssertThrowsError(try attempt(), name) { error in
                XCTAssertEqual(error as? StoreError, .readOnly(path: writer.path), name)
                XCTAssertEqual("\(error)", "\(writer.path): opened read-only; nothing can be changed here")
            }
        }
        XCTAssertEqual(try snapshot(writer), before)
        // Reading works, including the dry run that triage uses.
        XCTAssertEqual(try reader.customer(key: "u1")?.affiliateCode, "alice")
        let d = try reader.dryRun(.conversion(.init(externalID: "z", amount: usd(100), customerKey: "u1", at: t0)))
        XCTAssertTrue(d.isAccepted)
        XCTAssertEqual(d.conversion?.commission, usd(10))
        XCTAssertNil(try writer.conversion(externalID: "z"), "a dry run writes nothing")
    }

    func testDataVersionMovesWithEveryWrite() throws {
        let s = try store()
        let reader = try s.readOnlyCopy()
        var last = try reader.dataVersion()
        func moved(_ what: String) throws {
            let v = try reader.dataVersion()
            XCTAssertNotEqual(v, last, what)
            last = v
        }
        try ingest(s, [Line.click("c1", "alice"), Line.track("trial", "u1", click: "c1")])
        try moved("ingest")
        _ = try s.setStatus(customerKey: "u1", to: .ended, who: "t")
        try moved("status")
        _ = try s.reassign(customerKey: "u1", toAffiliate: "bob", who: "t")
        try moved("reassign")
        _ = try s.addAffiliate(code: "dave", name: "Dave", who: "t")
        try moved("affiliate")
        try ingest(s, [Line.click("c1", "alice")])
        XCTAssertEqual(try reader.dataVersion(), last, "nothing new, nothing moved")
    }
}

/// The caps watch list: customers capped or near a cap, never ended ones.
final class CapsWatchTests: StoreTestCase {
    func testNearCapsFindsEachDimensionAndSkipsEndedCustomers() throws {
        let caps = Caps(count: 5, months: 6, amount: usd(10_000))
        let s = try store(ProgramSettings(name: "T", commission: .percent(basisPoints: 1000), caps: caps))
        let aug1 = Instant.parse("2025-08-01T10:00:00Z")!
        var lines: [String] = []
        func customer(_ key: String, payments: [(String, Instant)], click at: Instant = t0) {
            lines.append(Line.click("c-\(key)", "alice", at.adding(seconds: -60)))
            lines.append(Line.track("trial", key, click: "c-\(key)", at.adding(seconds: -30)))
            for (i, (amount, when)) in payments.enumerated() {
                lines.append(Line.conversion("\(key)-\(i)", amount, customer: key, when.adding(seconds: Int64(i))))
            }
        }
        customer("byCount", payments: Array(repeating: ("1.00", t0), count: 4))
        customer("byAmount", payments: [("850.00", t0)])
        customer("byMonths", payments: [("1.00", aug1)], click: aug1)
        customer("far", payments: [("1.00", t0)])
        customer("capped", payments: Array(repeating: ("1.00", t0), count: 5))
        customer("endedNear", payments: Array(repeating: ("1.00", t0), count: 4))
        lines.append(Line.cancel("endedNear", t0.adding(seconds: 3600)))
        let r = try ingest(s, lines)
        XCTAssertEqual(r.rejected, 0, "\(r.byReason)")
        XCTAssertEqual(try self.customer(s, "capped").status, .capped)

        let t = caps.nearThresholds(now: now)
        XCTAssertEqual(t.commissions, 4)
        XCTAssertEqual(t.commissionMinor, 8_000)
        XCTAssertEqual(t.firstCommissionBefore, Instant.parse("2025-09-01T12:00:00Z"))
        let q = CustomerQuery(sort: .key, descending: false,
                              nearCaps: NearCaps(commissions: t.commissions, commissionMinor: t.commissionMinor,
                                                 firstCommissionBefore: t.firstCommissionBefore))
        XCTAssertEqual(try s.customers(q, page: .first(100)).map(\.key), ["byAmount", "byCount", "byMonths", "capped"])
        XCTAssertEqual(try s.customerCount(q), 4)
        // Only the dimensions given count.
        let countOnly = CustomerQuery(sort: .key, descending: false,
                                      nearCaps: NearCaps(commissions: 4, commissionMinor: nil, firstCommissionBefore: nil))
        XCTAssertEqual(try s.customers(countOnly, page: .first(100)).map(\.key), ["byCount", "capped"])
    }
}
