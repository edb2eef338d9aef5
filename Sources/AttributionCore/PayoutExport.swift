/// Payout files for the services that pay affiliates: plain text, built here so that the command
/// line and the dashboard export the same thing.
///
/// - `csv`: a header and one row per payout: `payout_id,affiliate,name,email,amount,currency,
///   commissions,state,through,created_at,paid_at,reference`.
/// - `paypal`: PayPal Payouts (Payouts Web / Mass Pay) upload file: no header, one row per payout:
///   recipient (the PayPal email), payment amount (a dot as the decimal mark), currency, customer
///   ID (`affdesk-payout-<id>`, PayPal's sender item id), note to recipient, recipient wallet
///   (`PAYPAL`). PayPal takes one currency per file: payouts in others are errors.
/// - `wise`: a Wise batch "send by email" file: `name,recipientEmail,paymentReference,
///   receiverType,amountCurrency,amount,sourceCurrency,targetCurrency` (`PERSON`, `target`: the
///   affiliate gets the exact amount), source and target the payout's currency.
///
/// A payout whose affiliate has no email cannot be paid through PayPal or Wise: it is listed as
/// an error (never silently left out), and the rest are written.
public enum PayoutExport {
    public enum Format: String, CaseIterable, Sendable { case csv, paypal, wise }

    public struct Line: Hashable, Sendable {
        public var payoutID: Int64
        public var affiliate: String
        public var name: String
        public var email: String?
        public var amount: Money
        public var commissions: Int
        public var state: PayoutState
        public var through: Instant
        public var createdAt: Instant
        public var paidAt: Instant?
        public var reference: String?
        public init(payoutID: Int64, affiliate: String, name: String, email: String?, amount: Money, commissions: Int, state: PayoutState,
                    through: Instant, createdAt: Instant, paidAt: Instant?, reference: String?) {
            self.payoutID = payoutID; self.affiliate = affiliate; self.name = name; self.email = email; self.amount = amount
            self.commissions = commissions; self.state = state; self.through = through; self.createdAt = createdAt; self.paidAt = paidAt
            self.reference = reference
        }
    }

    /// The file's text (lines ending in CRLF, as both services' spreadsheets write them) and one
    /// error sentence per payout left out.
    public static func render(_ lines: [Line], format: Format) -> (text: String, errors: [String]) {
        var rows: [[String]] = [], errors: [String] = []
        if format == .csv {
            rows.append(["payout_id", "affiliate", "name", "email", "amount", "currency", "commissions", "state", "through", "created_at",
                         "paid_at", "reference"])
        } else if format == .wise {
            rows.append(["name", "recipientEmail", "paymentReference", "receiverType", "amountCurrency", "amount", "sourceCurrency",
                         "targetCurrency"])
        }
        let paypalCurrency = lines.first?.amount.currency
        for l in lines {
            let email = l.email.map { $0.trimmingSpaces }.flatMap { $0.isEmpty ? nil : $0 }
            switch format {
            case .csv:
                rows.append([String(l.payoutID), l.affiliate, l.name, email ?? "", l.amount.decimalString, l.amount.currency.code,
                             String(l.commissions), l.state.rawValue, l.through.dateDisplay, l.createdAt.iso8601, l.paidAt?.iso8601 ?? "",
                             l.reference ?? ""])
                continue
            case .paypal, .wise:
                guard let email else {
                    errors.append("payout #\(l.payoutID) (\(l.affiliate), \(l.amount)): \(LedgerReason.noPayoutEmail.sentence) "
                                  + LedgerReason.noPayoutEmail.hint)
                    continue
                }
                if format == .paypal {
                    if l.amount.currency != paypalCurrency {
                        errors.append("payout #\(l.payoutID) (\(l.affiliate), \(l.amount)): PayPal takes one currency per file; "
                                      + "export the \(l.amount.currency.code) payouts on their own")
                        continue
                    }
                    rows.append([email, l.amount.decimalString, l.amount.currency.code, "affdesk-payout-\(l.payoutID)",
                                 "Affiliate commissions through \(l.through.dateDisplay)", "PAYPAL"])
                } else {
                    rows.append([l.name, email, "affdesk payout \(l.payoutID)", "PERSON", "target", l.amount.decimalString,
                                 l.amount.currency.code, l.amount.currency.code])
                }
            }
        }
        return (rows.map { $0.map(field).joined(separator: ",") + "\r\n" }.joined(), errors)
    }

    static func isNumber(_ s: String) -> Bool {
        let body = s.first == "-" ? s.dropFirst() : Substring(s)
        return !body.isEmpty && body.allSatisfy { $0.isASCIIDigit || $0 == "." }
    }

    /// A CSV field: quoted when it holds a comma, a quote or a line break; a text that a
    /// spreadsheet would run as a formula (=, +, -, @, tab or CR first) is prefixed with `'`.
    /// Amounts are never negative here, and are written as they are.
    static func field(_ s: String) -> String {
        var v = s
        if let f = v.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(f), !isNumber(v) { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            v = "\"" + v.map { $0 == "\"" ? "\"\"" : String($0) }.joined() + "\""
        }
        return v
    }
}
