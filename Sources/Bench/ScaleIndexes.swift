import Foundation
import GRDB

/// The indexes schema v7 added for the lists (issue 11), dropped from a benchmark's own store to
/// measure what they cost the ingest (`bench ingest-growth --without-list-indexes`).
public enum ScaleIndexes {
    public static let names = [
        "affiliate_name", "customer_affiliate_activity", "customer_conversions", "customer_commission", "customer_email",
        "customer_first_commission", "conversion_affiliate_id", "conversion_amount", "conversion_commission", "event_time",
        "event_rejected_time", "event_customer", "event_ref_event",
    ]

    public static func drop(path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in for n in names { try db.execute(sql: "DROP INDEX IF EXISTS \(n)") } }
        try queue.close()
    }
}
