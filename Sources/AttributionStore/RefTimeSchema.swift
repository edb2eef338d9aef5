/// Issue 11, Triage by Stripe and WooCommerce ids at scale: a filter or an identifier search
/// found the events naming an id in `event_ref` (ref, event_id; WITHOUT ROWID), then read each
/// matching event's row for its time to sort the matches (`Store.eventMatchTimes`). On a
/// Stripe-fed program a prefix such as "in_1A" names thousands of events, each one row read.
///
/// `event_ref` now holds each event's `at` and `received_at` beside the id (a WITHOUT ROWID
/// table stores every column in its primary key's B-tree, so a range of ids is a match with its
/// sort key, read from that B-tree alone), as the identifier indexes do since v22
/// (`TriageTimeSchema`). The ingest writes them where it writes the refs (`PendingRows`; a
/// replay's links too, as its refs); an event's times never change after it is written.
///
/// The table is rebuilt rather than altered: `received_at` is NOT NULL like the event's, and
/// the rows are copied in key order into a new B-tree (an UPDATE of every row would split the
/// old one's pages as each row grows). `event_ref_event` is made again on the new table.
enum RefTimeSchema {
    static let v25 = """
        CREATE TABLE event_ref_timed (
          ref TEXT NOT NULL,
          event_id INTEGER NOT NULL REFERENCES event(id),
          at INTEGER,
          received_at INTEGER NOT NULL,
          PRIMARY KEY (ref, event_id)
        ) WITHOUT ROWID;
        INSERT INTO event_ref_timed (ref, event_id, at, received_at)
          SELECT r.ref, r.event_id, e.at, e.received_at FROM event_ref r CROSS JOIN event e ON e.id = r.event_id ORDER BY r.ref, r.event_id;
        DROP TABLE event_ref;
        ALTER TABLE event_ref_timed RENAME TO event_ref;
        CREATE INDEX event_ref_event ON event_ref(event_id);
        """
}
