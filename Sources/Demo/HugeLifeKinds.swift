import AttributionCore

/// The kinds of life in the huge demo: a customer (click, sign-up, payments, cancel) and the
/// problem lines support staff meet. The same flows and rates as the small demo's generator.
extension HugeLives {
    /// One customer: the click, the sign-up (a trial or a paid start) and its payments.
    func customer(_ n: Int, click: Instant, _ rng: inout SplitMix, into out: inout [Step]) {
        let key = HugeLives.customerKey(n)
        let fn = DemoProgram.firstNames[Int(rng.next() % UInt64(DemoProgram.firstNames.count))]
        let ln = DemoProgram.lastNames[Int(rng.next() % UInt64(DemoProgram.lastNames.count))]
        let email = "\(fn).\(ln)\(n)@mail.example"
        let aff = pickAffiliate(&rng)
        let signup = click.adding(seconds: 60 + Int64(rng.next() % (6 * 86_400)))
        let cid = "clk_\(n)"
        out.append(Step(at: click, line: #"{"type":"click","click_id":"\#(cid)","affiliate":"\#(aff)","at":"\#(click.iso8601)"}"#))
        let plan = DemoProgram.plans[Int(rng.next() % UInt64(DemoProgram.plans.count))]
        let currency = n % 800 == 13 ? "EUR" : "USD"
        let flow = rng.unit()
        var firstPay = signup
        if flow < 0.72 {
            out.append(Step(at: signup, line: #"{"type":"trial","customer_key":"\#(key)","click_id":"\#(cid)","email":"\#(email)","at":"\#(signup.iso8601)"}"#))
            if rng.unit() < 0.15 {
                let z = signup.adding(seconds: 5)
                out.append(Step(at: z, line: #"{"type":"conversion","external_id":"inv_\#(n)_0","amount":"0.00","currency":"\#(currency)","customer_key":"\#(key)","first_payment":true,"at":"\#(z.iso8601)"}"#))
            }
            if rng.unit() < 0.3 {
                if rng.unit() < 0.5 {
                    let end = signup.adding(days: 14)
                    if end < now { out.append(Step(at: end, line: #"{"type":"cancel","customer_key":"\#(key)","at":"\#(end.iso8601)"}"#)) }
                }
                return
            }
            firstPay = signup.adding(days: 14)
        }
        let firstLine = flow >= 0.72 ? #","click_id":"\#(cid)","email":"\#(email)""# : ""
        payments(n, key: key, plan: plan, currency: currency, from: firstPay, firstLine: firstLine, &rng, into: &out)
    }

    /// Monthly payments until now or a cancel (sometimes a retried webhook, or a payment after
    /// the cancel). Invoice ids are inv_<customer>_<k>: unique without a counter.
    func payments(_ n: Int, key: String, plan: Int64, currency: String, from firstPay: Instant, firstLine: String,
                  _ rng: inout SplitMix, into out: inout [Step]) {
        let amount = DemoProgram.Generator.amount(plan)
        var pay = firstPay
        var k = 1
        while pay < now {
            let id = "inv_\(n)_\(k)"
            let head = #"{"type":"conversion","external_id":"\#(id)","amount":"\#(amount)","currency":"\#(currency)","customer_key":"\#(key)""#
            out.append(Step(at: pay, line: head + (k == 1 ? firstLine : "") + #","at":"\#(pay.iso8601)"}"#))
            if rng.unit() < 0.01 {
                // A retried webhook with the same invoice id: never paid twice.
                let retry = pay.adding(seconds: 30)
                out.append(Step(at: retry, line: head + #","at":"\#(retry.iso8601)","retry":1}"#))
            }
            k += 1
            if rng.unit() < 0.045 {
                let end = pay.adding(days: 3 + Int(rng.next() % 20))
                if end < now {
                    out.append(Step(at: end, line: #"{"type":"cancel","customer_key":"\#(key)","at":"\#(end.iso8601)"}"#))
                    let late = end.adding(days: 25)
                    if rng.unit() < 0.1, late < now {
                        out.append(Step(at: late, line: #"{"type":"conversion","external_id":"inv_\#(n)_\#(k)","amount":"\#(amount)","currency":"\#(currency)","customer_key":"\#(key)","at":"\#(late.iso8601)"}"#))
                    }
                }
                return
            }
            pay = pay.adding(months: 1)
        }
    }

    /// One problem line (or two), of the kind the slot's number picks: each is refused with
    /// its own reason, or is not valid JSON Lines at all.
    func problem(_ n: Int, at: Instant, _ rng: inout SplitMix, into out: inout [Step]) {
        let when = at.iso8601
        let other = Swift.max(1, n / 2)
        func add(_ line: String) { out.append(Step(at: at, line: line)) }
        switch (n / shape.problemEvery) % 12 {
        case 0: add(#"{"type":"click","click_id":"clk_p\#(n)","affiliate":"sumer-sale","at":"\#(when)"}"#)
        case 1: add(#"{"type":"trial","customer_key":"usr_x\#(n)","click_id":"clk_missing_\#(n)","at":"\#(when)"}"#)
        case 2: add(#"{"type":"signup","customer_key":"usr_y\#(n)","at":"\#(when)"}"#)
        case 3:
            add(#"{"type":"click","click_id":"clk_p\#(n)","affiliate":"\#(pickAffiliate(&rng))","at":"\#(when)"}"#)
            let late = at.adding(days: 75)
            if late < now {
                out.append(Step(at: late, line: #"{"type":"lead","customer_key":"usr_z\#(n)","click_id":"clk_p\#(n)","at":"\#(late.iso8601)"}"#))
            }
        case 4: add(#"{"type":"trial","customer_key":"\#(HugeLives.customerKey(other))","click_id":"clk_\#(other)","at":"\#(when)"}"#)
        case 5: add(#"{"type":"conversion","external_id":"inv_p\#(n)","amount":"-5.00","currency":"USD","click_id":"clk_\#(other)","at":"\#(when)"}"#)
        case 6: add(#"{"type":"conversion","external_id":"bad_\#(n)","amount":"12.345","currency":"USD","at":"\#(when)"}"#)
        case 7: add(#"{"type":"conversion","external_id":"bad_\#(n)","amount":"9.00","currency":"USD","at":"yesterday"}"#)
        case 8: add(#"{"type":"conversion","external_id": "bad_\#(n)", "amount": 9.00 "currency":"USD"}"#)
        case 9: add(#"{"type":"cancel","customer_key":"usr_gone_\#(n)","at":"\#(when)"}"#)
        case 10: add(#"{"type":"click","click_id":"clk_\#(other)","affiliate":"\#(HugeLives.affiliateCode(0))","at":"\#(when)"}"#)
        default:
            let late = Instant(seconds: Swift.max(at.seconds, DemoProgram.disabledAt.seconds + 86_400 * Int64(1 + n % 60)))
            if late < now {
                out.append(Step(at: late, line: #"{"type":"click","click_id":"clk_p\#(n)","affiliate":"\#(HugeProgram.disabledCode)","at":"\#(late.iso8601)"}"#))
            }
        }
    }
}
