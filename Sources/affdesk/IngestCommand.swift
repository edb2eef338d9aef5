import ArgumentParser
import AttributionCore
import AttributionStore
import Feeds
import Foundation
import TerminalText

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record events from a file or standard input (tracking JSON Lines, Stripe or WooCommerce).",
        discussion: """
        Every event is recorded in the event inbox with its outcome. A malformed one is recorded as
        rejected (invalid_event) with its line number and the field at fault, and the rest proceeds.
        Ingesting the same file again changes nothing.

        --format stripe reads Stripe event objects, --format woocommerce WooCommerce orders and
        subscriptions: one JSON object per line, or JSON arrays (and pretty-printed objects). The
        Stripe metadata key and the tax rule come from `affdesk program set --metadata-key / --tax`.
        """)
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The file to read, or - for standard input.") var file: String = "-"
    @Option(help: "Input format: jsonl (the tracking events), stripe (Stripe events) or woocommerce (orders and subscriptions).")
    var format: String = "jsonl"
    @Flag(help: "Print the summary as JSON.") var json = false
    @Flag(name: .customLong("no-progress"), help: "Never draw a progress bar.") var noProgress = false
    @Option(parsing: .unconditional, help: ArgumentHelp("Events per transaction: larger is faster and holds the write lock longer.", valueName: "N"))
    var batch: String = "\(BulkTuning.standard.batch)"
    @Flag(name: .customLong("dry-run"), help: "Decide every event and report, writing nothing (on a private copy of the database).")
    var dryRun = false

    func run() throws {
        guard ["jsonl", StripeFeed.source, WooCommerceFeed.source].contains(format) else {
            throw Failure("--format: \(FeedError.unknownFormat(format))")
        }
        let batch = Int(try wholeNumber(self.batch, "--batch", in: Bounds.batch))
        // A dry run reads the database (never writing it) and ingests into a private copy.
        let opened = try database.open(readOnly: dryRun)
        let store = dryRun ? try opened.dryRunCopy() : opened
        defer { if dryRun { store.removeDryRunCopy() } }
        let settings = try store.settings()
        let handle: FileHandle
        var total: Int64 = 0
        if file == "-" {
            handle = .standardInput
        } else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), isDirectory.boolValue {
                throw Failure("\(file): is a directory, not a file of events")
            }
            guard let h = FileHandle(forReadingAtPath: file) else { throw Failure("\(file): cannot open the file: \(whyNotReadable(file))") }
            handle = h
            total = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0
        }
        let name = file == "-" ? "stdin" : (file as NSString).lastPathComponent
        let reader = LineReader(handle: handle)
        let source: FeedSource
        switch format {
        case StripeFeed.source:
            let a = try store.adapterSettings()
            source = FeedSource(records: JSONRecordReader(lines: reader),
                                feed: .stripe(StripeFeed(metadataKey: a.metadataKey, taxExcluded: a.taxExcluded, file: name)))
        case WooCommerceFeed.source:
            let a = try store.adapterSettings()
            source = FeedSource(records: JSONRecordReader(lines: reader),
                                feed: .woocommerce(WooCommerceFeed(taxExcluded: a.taxExcluded, defaultCurrency: settings.currency, file: name)))
        default:
            source = FeedSource(reader: reader, feed: TrackingFeed(defaultCurrency: settings.currency, file: name))
        }
        let bar = !noProgress && isatty(2) == 1 && total > 4 << 20 ? IngestProgress(total: total) : nil
        // Lines are read and parsed on a second thread, a chunk ahead of the batch being written.
        let ahead = ReadAhead(chunk: 4096, mark: { source.bytesRead }, produce: { source.next() })
        let summary = try store.ingest(ahead, batchSize: batch) { _ in bar?.update(ahead.consumedMark) }
        bar?.finish()
        if json { print(summaryJSON(summary).text) } else { print(summaryText(summary, name: name)) }
        if dryRun && !json { print("dry run: nothing was written to \(opened.path)") }
        if let e = source.readError {
            throw Failure("\(name): reading stopped early (\(e.localizedDescription)); the events before it were recorded")
        }
        if let why = nothingRead(summary) { throw Failure("\(name): \(why)") }
    }

    /// Why the input gave nothing at all (exit non-zero), or nil: every record invalid, or not a
    /// kind the feed knows (the wrong --format, or not events).
    func nothingRead(_ s: IngestSummary) -> String? {
        let invalid = s.byReason[Reason.invalidEvent.rawValue] ?? 0, unknown = s.byReason[Reason.ignoredEventType.rawValue] ?? 0
        guard s.received > 0, invalid + unknown == s.received else { return nil }
        let all = "all \(s.received) \(s.received == 1 ? "record was" : "records were")"
        return "nothing could be read: \(all) " + (unknown == 0 ? "invalid" : invalid == 0 ? "of a kind affdesk does not act on" : "invalid or of a kind affdesk does not act on")
            + " (is --format \(format) right? the formats are jsonl, stripe and woocommerce)"
    }
}

/// Why a file cannot be opened for reading: "no such file", "permission denied", ...
func whyNotReadable(_ path: String) -> String {
    let fd = open(path, O_RDONLY)
    if fd >= 0 { close(fd); return "it could not be read" }
    switch errno {
    case ENOENT: return "no such file"
    case EACCES: return "permission denied (this user may not read it)"
    default: return String(cString: strerror(errno)).lowercased()
    }
}

/// Lines (tracking JSON Lines) or JSON records (payment feeds) in, inbound events out, counting
/// bytes for the progress bar.
final class FeedSource: Sequence, IteratorProtocol {
    enum Payments {
        case stripe(StripeFeed)
        case woocommerce(WooCommerceFeed)
    }
    private var lines: LineReader?
    private var tracking: TrackingFeed?
    private var records: JSONRecordReader?
    private var payments: Payments?

    init(reader: LineReader, feed: TrackingFeed) { self.lines = reader; self.tracking = feed }
    init(records: JSONRecordReader, feed: Payments) { self.records = records; self.payments = feed }

    var bytesRead: Int64 { lines?.bytesRead ?? records?.bytesRead ?? 0 }
    var readError: Error? { lines?.readError ?? records?.readError }

    func next() -> InboundEvent? {
        if let feed = tracking {
            while let line = lines?.nextRecord() {
                if let e = feed.read(line) { return e }
            }
            return nil
        }
        while let record = records?.nextRecord() {
            let e: InboundEvent?
            switch payments {
            case .stripe(let f)?: e = f.read(record)
            case .woocommerce(let f)?: e = f.read(record)
            case nil: e = nil
            }
            if let e { return e }
        }
        return nil
    }
}

/// A one-line progress bar on standard error, redrawn at most ten times a second.
final class IngestProgress {
    let total: Int64
    var last = Date.distantPast
    let started = Date()
    init(total: Int64) { self.total = total }
    func update(_ done: Int64) {
        let now = Date()
        guard now.timeIntervalSince(last) > 0.1 else { return }
        last = now
        let frac = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let width = 30
        let filled = Int(frac * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(Data("\r\(bar) \(Int(frac * 100))%  \(done >> 20) MiB  \(Int(now.timeIntervalSince(started)))s ".utf8))
    }
    func finish() { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
}

func summaryText(_ s: IngestSummary, name: String) -> String {
    var out = ["\(name): \(s.received) recorded: \(s.accepted) accepted, \(s.rejected) rejected; \(s.alreadyIngested) already ingested (unchanged)"]
    let refusals = s.byReason.filter { Reason(rawValue: $0.key)?.isRefusal ?? true }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
    let notes = s.byReason.filter { !(Reason(rawValue: $0.key)?.isRefusal ?? true) }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
    if !refusals.isEmpty {
        out.append("rejected, by reason:")
        for (k, v) in refusals { out.append("  \(Width.pad(k, to: 24)) \(Width.pad(String(v), to: 8, align: .right))  \(Reason(rawValue: k)?.sentence ?? "")") }
    }
    if !notes.isEmpty {
        out.append("notes on accepted events:")
        for (k, v) in notes { out.append("  \(Width.pad(k, to: 24)) \(Width.pad(String(v), to: 8, align: .right))  \(Reason(rawValue: k)?.sentence ?? "")") }
    }
    if !s.invalid.isEmpty {
        out.append("invalid lines\(s.invalid.count == 20 ? " (first 20)" : ""):")
        out += s.invalid.map { "  " + Sanitize.text($0) }
    }
    return out.joined(separator: "\n")
}

func summaryJSON(_ s: IngestSummary) -> Out {
    .obj([("received", .i(s.received)), ("accepted", .i(s.accepted)), ("rejected", .i(s.rejected)),
          ("already_ingested", .i(s.alreadyIngested)),
          ("by_reason", .obj(s.byReason.sorted { $0.key < $1.key }.map { ($0.key, .i($0.value)) })),
          ("invalid", .arr(s.invalid.map(Out.str)))])
}

