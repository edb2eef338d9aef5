import AttributionCore
import AttributionStore
import Feeds

/// A deterministic, realistic demo program: dozens of affiliates with unicode names, thousands of
/// customers in every status, renewals over 18 months, capped and canceled customers, and
/// rejected events of every reason. Everything goes through the real feed and store, so the
/// demo also exercises the ingest path. The same seed and size always give the same database.
public enum DemoProgram {
    public enum Size: String, CaseIterable, Sendable {
        case small, large
        var customers: Int { self == .small ? 2_400 : 60_000 }
    }

    /// The demo's "now": every stamp the store writes during the build uses this instant.
    public static let now = Instant.parse("2026-11-15T12:00:00Z")!
    static let start = Instant.parse("2025-05-01T00:00:00Z")!
    /// Recurring/Lifetime was switched on here; before it, customer keys on conversions were ignored.
    static let recurringOn = Instant.parse("2025-06-15T00:00:00Z")!
    /// This affiliate was disabled here; its later clicks are refused.
    static let disabledAt = Instant.parse("2026-08-01T00:00:00Z")!
    public static let admin = "demo-admin"

    public struct Report: Sendable {
        public var summary: IngestSummary
        public var affiliates: Int
        public var lines: Int
    }

    public static let settings = ProgramSettings(
        name: "Nimbus Notes", model: .saas, recurring: false, commission: .percent(basisPoints: 2000),
        caps: Caps(count: 12, months: nil, amount: Money(minor: 50_000, currency: .usd)), windowDays: 60, currency: .usd)

    /// (code, name, commission override)
    static let affiliates: [(String, String, Commission?)] = [
        ("zoe", "Zoë Müller", nil), ("yamada", "山田 太郎", nil), ("lukasz", "Łukasz Kowalski", nil),
        ("jose", "José Álvarez", .percent(basisPoints: 3000)), ("soren", "Søren Ørsted Media", nil),
        ("rocket", "Ana 🚀 Growth Lab", nil), ("mohammed", "محمد العلي", nil), ("tram", "Nguyễn Ngọc Trâm", nil),
        ("kim", "김민준", nil), ("chen", "陈静 Reviews", .fixed(Money(minor: 1_500, currency: .usd))),
        ("dmitri", "Дмитрий Соколов", nil), ("eleni", "Ελένη Παπαδοπούλου", nil), ("aisha", "Aisha Bello", nil),
        ("francois", "François Lefèvre", nil), ("priya", "प्रिया शर्मा", nil), ("oliver", "Oliver Smith", nil),
        ("ines", "Inês Carvalho", nil), ("tomas", "Tomáš Dvořák", nil), ("fatma", "Fatma Yılmaz", nil),
        ("sakura", "さくら Tech ✨", nil), ("noah", "Noah Williams", nil), ("amelie", "Amélie Dubois", nil),
        ("mateo", "Mateo Rossi", .percent(basisPoints: 2500)), ("hana", "Hana Novák", nil), ("liam", "Liam O'Brien", nil),
        ("wei", "王伟 Deals", nil), ("ingrid", "Ingrid Johansson", nil), ("kofi", "Kofi Mensah", nil),
        ("lucia", "Lucía Fernández", nil), ("deal-hunter", "Deal Hunter 💸", nil), ("sven", "Sven Bäckström", nil),
        ("maya", "Maya Cohen", nil), ("arjun", "Arjun Patel", nil), ("emma", "Emma Schmidt", nil),
        ("yuki", "佐藤 由紀", nil), ("olga", "Ольга Иванова", nil),
    ]

    static let firstNames = ["ada", "bruno", "chloe", "dario", "elif", "femi", "greta", "hugo", "ivy", "jonas", "kai", "lena",
                             "marco", "nina", "omar", "paula", "quinn", "rosa", "sami", "tara", "uma", "victor", "wren", "yara"]
    static let lastNames = ["adams", "berg", "costa", "diaz", "eriksen", "fischer", "garcia", "haas", "ito", "jensen", "klein",
                            "lopez", "moreau", "nagy", "ortiz", "park", "quist", "romero", "silva", "tan", "ueda", "vega"]
    static let plans: [Int64] = [1_900, 4_900, 9_900, 24_900]

    /// Builds the demo into an empty store.
    public static func build(into store: Store, seed: UInt64 = 1, size: Size = .small) throws -> Report {
        try store.initialize(settings, who: admin)
        for (code, name, commission) in affiliates {
            _ = try store.addAffiliate(code: code, name: name, email: "\(code)@partners.example", commission: commission, who: admin)
        }
        let events = generate(seed: seed, size: size)
        let feed = TrackingFeed(defaultCurrency: .usd, file: "demo.jsonl")
        func inbound(_ range: ArraySlice<(Instant, String)>, offset: Int) -> [InboundEvent] {
            range.enumerated().compactMap { i, e in feed.read(line: e.1, number: offset + i + 1) }
        }
        let cut1 = events.firstIndex { $0.0 >= recurringOn } ?? events.count
        let cut2 = events.firstIndex { $0.0 >= disabledAt } ?? events.count
        var total = try store.ingest(inbound(events[..<cut1], offset: 0))
        var on = settings
        on.recurring = true
        try store.updateSettings(on, who: admin)
        let mid = try store.ingest(inbound(events[cut1..<cut2], offset: cut1))
        try store.setAffiliateDisabled(code: "deal-hunter", disabled: true, who: admin)
        let late = try store.ingest(inbound(events[cut2...], offset: cut2))
        for s in [mid, late] {
            total.received += s.received; total.accepted += s.accepted; total.rejected += s.rejected
            total.alreadyIngested += s.alreadyIngested
            for (k, v) in s.byReason { total.byReason[k, default: 0] += v }
            total.invalid += s.invalid
        }
        try adminActions(store, seed: seed)
        return Report(summary: total, affiliates: affiliates.count, lines: events.count)
    }

    /// A few admin changes, so the audit log has history.
    static func adminActions(_ store: Store, seed: UInt64) throws {
        var rng = SplitMix(seed: seed ^ 0xA11CE)
        let active = try store.customers(CustomerQuery(sort: .key, descending: false, status: .active), page: .first(200))
        guard active.count > 10 else { return }
        for i in 0..<3 {
            let c = active[(i * 37 + Int(rng.next() % 20)) % active.count]
            let target = affiliates[(Int(rng.next() % UInt64(affiliates.count - 1)))].0
            if target != c.affiliateCode, target != "deal-hunter" {
                _ = try store.reassign(customerKey: c.key, toAffiliate: target, who: admin)
            }
        }
        _ = try store.setStatus(customerKey: active[5].key, to: .ended, who: admin)
        _ = try store.addManualConversion(externalID: "manual_0001", amount: Money(minor: 9_900, currency: .usd),
                                          customerKey: active[7].key, affiliateCode: nil, at: now, who: admin,
                                          detail: "annual upgrade paid by bank transfer")
    }

    /// The demo's events as JSON Lines, in time order.
    public static func generate(seed: UInt64, size: Size) -> [(Instant, String)] {
        var g = Generator(seed: seed)
        for n in 1...size.customers { g.customer(n) }
        g.visits(size.customers / 2)
        g.problems(size == .small ? 1 : 10)
        // Sorting keeps the order of equal instants, so a retry stays after its original.
        var indexed = g.out.enumerated().map { ($0.offset, $0.element) }
        indexed.sort { $0.1.0 != $1.1.0 ? $0.1.0 < $1.1.0 : $0.0 < $1.0 }
        return indexed.map(\.1)
    }

    /// The demo's events, drawn from one random stream in a fixed order: a seed always gives the
    /// same events.
    struct Generator {
        var rng: SplitMix
        var out: [(Instant, String)] = []
        let span = now.seconds - start.seconds - 86_400
        var clickN = 0, invoiceN = 0
        // Affiliates are not equally good: a Zipf-like weight.
        let weights = (0..<affiliates.count).map { 1.0 / Double($0 + 1).squareRoot() }
        var totalWeight: Double { weights.reduce(0, +) }

        init(seed: UInt64) { rng = SplitMix(seed: seed) }

        mutating func clickID() -> String { clickN += 1; return "clk_\(clickN)" }
        mutating func invoiceID() -> String { invoiceN += 1; return "inv_\(invoiceN)" }
        func t(_ i: Instant) -> String { i.iso8601 }
        static func amount(_ minor: Int64) -> String { "\(minor / 100).\(minor % 100 < 10 ? "0" : "")\(minor % 100)" }

        mutating func pickAffiliate() -> String {
            var x = rng.unit() * totalWeight
            for (i, w) in weights.enumerated() { x -= w; if x <= 0 { return affiliates[i].0 } }
            return affiliates[0].0
        }

        /// One customer: the click, the sign-up (a trial or a paid start) and its payments.
        mutating func customer(_ n: Int) {
            let key = "usr_\(String(n + 100_000))"
            let fn = firstNames[Int(rng.next() % UInt64(firstNames.count))]
            let ln = lastNames[Int(rng.next() % UInt64(lastNames.count))]
            let email = "\(fn).\(ln)\(n)@mail.example"
            let aff = pickAffiliate()
            let signup = Instant(seconds: start.seconds + Int64(rng.next() % UInt64(span)))
            let click = signup.adding(seconds: -Int64(rng.next() % (6 * 86_400)) - 60)
            let cid = clickID()
            out.append((click, #"{"type":"click","click_id":"\#(cid)","affiliate":"\#(aff)","at":"\#(t(click))"}"#))
            let plan = plans[Int(rng.next() % UInt64(plans.count))]
            let currency = n % 800 == 13 ? "EUR" : "USD"
            let flow = rng.unit()
            var firstPay: Instant
            if flow < 0.72 {
                out.append((signup, #"{"type":"trial","customer_key":"\#(key)","click_id":"\#(cid)","email":"\#(email)","at":"\#(t(signup))"}"#))
                if rng.unit() < 0.15 {
                    // A Stripe-style $0 first invoice for the trial.
                    out.append((signup.adding(seconds: 5), #"{"type":"conversion","external_id":"\#(invoiceID())","amount":"0.00","currency":"\#(currency)","customer_key":"\#(key)","first_payment":true,"at":"\#(t(signup.adding(seconds: 5)))"}"#))
                }
                if rng.unit() < 0.3 {
                    if rng.unit() < 0.5 {
                        let end = signup.adding(days: 14)
                        if end < now { out.append((end, #"{"type":"cancel","customer_key":"\#(key)","at":"\#(t(end))"}"#)) }
                    }
                    return
                }
                firstPay = signup.adding(days: 14)
            } else {
                firstPay = signup
            }
            let firstLine = flow >= 0.72 ? #","click_id":"\#(cid)","email":"\#(email)""# : ""
            payments(key: key, plan: plan, currency: currency, from: firstPay, firstLine: firstLine)
        }

        /// Monthly payments from `pay` until now or a cancel (sometimes with a retried webhook, or
        /// a payment after the cancel). `firstLine` is added to the first payment's fields.
        mutating func payments(key: String, plan: Int64, currency: String, from firstPay: Instant, firstLine: String) {
            let amount = Generator.amount(plan)
            var pay = firstPay
            var k = 0
            while pay < now {
                let id = invoiceID()
                var line = #"{"type":"conversion","external_id":"\#(id)","amount":"\#(amount)","currency":"\#(currency)","customer_key":"\#(key)""#
                if k == 0 { line += firstLine }
                line += #","at":"\#(t(pay))"}"#
                out.append((pay, line))
                if rng.unit() < 0.01 {
                    // A retried webhook with the same invoice id: never paid twice.
                    let retry = pay.adding(seconds: 30)
                    out.append((retry, #"{"type":"conversion","external_id":"\#(id)","amount":"\#(amount)","currency":"\#(currency)","customer_key":"\#(key)","at":"\#(t(retry))","retry":1}"#))
                }
                k += 1
                if rng.unit() < 0.045 {
                    let end = pay.adding(days: 3 + Int(rng.next() % 20))
                    if end < now {
                        out.append((end, #"{"type":"cancel","customer_key":"\#(key)","at":"\#(t(end))"}"#))
                        if rng.unit() < 0.1 {
                            let late = end.adding(days: 25)
                            if late < now {
                                out.append((late, #"{"type":"conversion","external_id":"\#(invoiceID())","amount":"\#(amount)","currency":"\#(currency)","customer_key":"\#(key)","at":"\#(t(late))"}"#))
                            }
                        }
                    }
                    break
                }
                pay = pay.adding(months: 1)
            }
        }

        /// Visits that never signed up.
        mutating func visits(_ count: Int) {
            for _ in 0..<count {
                let at = Instant(seconds: start.seconds + Int64(rng.next() % UInt64(span)))
                out.append((at, #"{"type":"click","click_id":"\#(clickID())","affiliate":"\#(pickAffiliate())","at":"\#(t(at))"}"#))
            }
        }

        /// Problems support staff meet, `noise` of each.
        mutating func problems(_ noise: Int) {
            for i in 0..<(12 * noise) {
                let at = Instant(seconds: start.seconds + Int64(rng.next() % UInt64(span)))
                let when = t(at)
                switch i % 12 {
                case 0: out.append((at, #"{"type":"click","click_id":"\#(clickID())","affiliate":"sumer-sale","at":"\#(when)"}"#))
                case 1: out.append((at, #"{"type":"trial","customer_key":"usr_x\#(i)","click_id":"clk_missing_\#(i)","at":"\#(when)"}"#))
                case 2: out.append((at, #"{"type":"signup","customer_key":"usr_y\#(i)","at":"\#(when)"}"#))
                case 3:
                    let c = clickID()
                    out.append((at, #"{"type":"click","click_id":"\#(c)","affiliate":"\#(pickAffiliate())","at":"\#(when)"}"#))
                    let late = at.adding(days: 75)
                    out.append((late, #"{"type":"lead","customer_key":"usr_z\#(i)","click_id":"\#(c)","at":"\#(t(late))"}"#))
                case 4: out.append((at, #"{"type":"trial","customer_key":"usr_\#(100_001 + i)","click_id":"clk_\#(1 + i)","at":"\#(when)"}"#))
                case 5: out.append((at, #"{"type":"conversion","external_id":"\#(invoiceID())","amount":"-5.00","currency":"USD","click_id":"clk_\#(2 + i)","at":"\#(when)"}"#))
                case 6: out.append((at, #"{"type":"conversion","external_id":"bad_\#(i)","amount":"12.345","currency":"USD","at":"\#(when)"}"#))
                case 7: out.append((at, #"{"type":"conversion","external_id":"bad_\#(i)","amount":"9.00","currency":"USD","at":"yesterday"}"#))
                case 8: out.append((at, #"{"type":"conversion","external_id": "bad_\#(i)", "amount": 9.00 "currency":"USD"}"#))
                case 9: out.append((at, #"{"type":"cancel","customer_key":"usr_gone_\#(i)","at":"\#(when)"}"#))
                case 10: out.append((at, #"{"type":"click","click_id":"clk_\#(3 + i)","affiliate":"zoe","at":"\#(when)"}"#))
                default:
                    let late = Instant(seconds: max(at.seconds, disabledAt.seconds + 86_400 * Int64(1 + i % 60)))
                    if late < now { out.append((late, #"{"type":"click","click_id":"\#(clickID())","affiliate":"deal-hunter","at":"\#(t(late))"}"#)) }
                }
            }
        }
    }
}

