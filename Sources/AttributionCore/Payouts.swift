/// A payout batch's states: `open` once created (its entries are reserved for it), `paid` once
/// marked paid (its entries are paid), `canceled` (its entries are free again).
public enum PayoutState: String, CaseIterable, Sendable, Codable {
    case open, paid, canceled
}

/// An entry a payout run may take: an approved commission or an open clawback, in no payout yet.
public struct PayableEntry: Hashable, Sendable {
    public var id: Int64
    public var kind: EntryKind
    public var affiliateID: Int64
    public var amount: Money
    /// When the sale was made (a clawback: when it was taken back).
    public var earnedAt: Instant
    public init(id: Int64, kind: EntryKind, affiliateID: Int64, amount: Money, earnedAt: Instant) {
        self.id = id; self.kind = kind; self.affiliateID = affiliateID; self.amount = amount; self.earnedAt = earnedAt
    }
}

/// One payout to create: an affiliate, a currency, the net amount and its lines.
public struct PlannedPayout: Hashable, Sendable {
    public var affiliateID: Int64
    public var amount: Money
    public var entryIDs: [Int64]
    public init(affiliateID: Int64, amount: Money, entryIDs: [Int64]) {
        self.affiliateID = affiliateID; self.amount = amount; self.entryIDs = entryIDs
    }
}

/// A balance left for the next payout, and why.
public struct CarryOver: Hashable, Sendable {
    public var affiliateID: Int64
    public var net: Money
    public var reason: LedgerReason
    public init(affiliateID: Int64, net: Money, reason: LedgerReason) { self.affiliateID = affiliateID; self.net = net; self.reason = reason }
}

public enum Payouts {
    /// The payouts of a run "through" a date: per affiliate and currency, every approved commission
    /// earned on or before `through` plus every open clawback (whatever its date: a debt is netted
    /// at the first chance). A net of at least `minimum` (in its currency; other currencies need
    /// only be above zero) and above zero is one payout of all those entries; otherwise nothing is
    /// taken and the balance carries over (`below_minimum`, `nothing_to_pay`). A net of exactly zero
    /// (commissions and clawbacks that cancel out) settles: a payout of 0 of all those entries, paid
    /// at once since there is nothing to send (`settlesAtOnce`), whatever the minimum — carrying it
    /// would keep them "due" for ever. The caller gives only entries that are approved now and in no
    /// payout, so an entry is in at most one payout.
    public static func plan(_ entries: [PayableEntry], through: Instant, minimum: Money?) -> (payouts: [PlannedPayout], carried: [CarryOver]) {
        struct Key: Hashable { var affiliate: Int64; var currency: String }
        var groups: [Key: [PayableEntry]] = [:]
        for e in entries where e.kind == .clawback || e.earnedAt <= through {
            groups[Key(affiliate: e.affiliateID, currency: e.amount.currency.code), default: []].append(e)
        }
        var payouts: [PlannedPayout] = [], carried: [CarryOver] = []
        for key in groups.keys.sorted(by: { ($0.affiliate, $0.currency) < ($1.affiliate, $1.currency) }) {
            let lines = groups[key]!.sorted { $0.id < $1.id }
            let currency = lines[0].amount.currency
            var net: Int64 = 0, overflow = false
            for l in lines {
                let (s, o) = net.addingReportingOverflow(l.amount.minor)
                overflow = overflow || o
                net = s
            }
            let money = Money(minor: net, currency: currency)
            if overflow || net > Money.maxMinor {
                carried.append(CarryOver(affiliateID: key.affiliate, net: money, reason: .amountOverflow))
            } else if net == 0 {
                payouts.append(PlannedPayout(affiliateID: key.affiliate, amount: money, entryIDs: lines.map(\.id)))
            } else if net < 0 {
                carried.append(CarryOver(affiliateID: key.affiliate, net: money, reason: .nothingToPay))
            } else if let minimum, minimum.currency == currency, net < minimum.minor {
                carried.append(CarryOver(affiliateID: key.affiliate, net: money, reason: .belowMinimum))
            } else {
                payouts.append(PlannedPayout(affiliateID: key.affiliate, amount: money, entryIDs: lines.map(\.id)))
            }
        }
        return (payouts, carried)
    }

    /// A planned payout of exactly zero is paid when created: nothing is sent, its entries are settled.
    public static func settlesAtOnce(_ p: PlannedPayout) -> Bool { p.amount.minor == 0 }

    /// The longest payment reference kept (a PayPal batch id, a bank reference).
    public static let maxReferenceBytes = 256

    /// A payment reference as typed: trimmed; empty is none; at most `maxReferenceBytes`, without
    /// control or format characters (it is printed, exported and shown to the affiliate: a line
    /// break would forge a line of `payouts show`). Read by the store for every front end.
    public static func parseReference(_ text: String?) throws(SettingError) -> String? {
        guard let v = text?.trimmingSpaces, !v.isEmpty else { return nil }
        let n = v.utf8.count
        if n > maxReferenceBytes {
            throw SettingError(field: "reference", message: "is \(n) bytes long; at most \(maxReferenceBytes) are allowed")
        }
        if v.unicodeScalars.contains(where: \.isControlOrFormat) {
            throw SettingError(field: "reference", message: "must not contain a control or format character (a line break, a tab, a bidi override)")
        }
        return v
    }

    /// Marking a payout paid: only an open one.
    public static func markPaid(_ state: PayoutState) throws(LedgerRefusal) -> PayoutState {
        guard state == .open else { throw LedgerReason.payoutNotOpen.refusal("it is \(state.rawValue)") }
        return .paid
    }

    /// Canceling a payout: only an open one; its entries return to approved (clawbacks to open).
    public static func cancel(_ state: PayoutState) throws(LedgerRefusal) -> PayoutState {
        if state == .paid { throw LedgerReason.payoutAlreadyPaid.refusal() }
        guard state == .open else { throw LedgerReason.payoutNotOpen.refusal("it is \(state.rawValue)") }
        return .canceled
    }

    /// `--min` text: an amount in the program's currency greater than zero.
    public static func parseMinimum(_ text: String, currency: Currency) throws(SettingError) -> Money {
        let m: Money
        do { m = try Money.parse(text, currency: currency) } catch {
            throw SettingError(field: "min", message: "\(error); type an amount in \(currency.code) like 50.00")
        }
        if m.minor < 0 { throw SettingError(field: "min", message: "must not be negative") }
        if m.minor > Money.maxMinor { throw SettingError(field: "min", message: "is out of range") }
        return m
    }
}
