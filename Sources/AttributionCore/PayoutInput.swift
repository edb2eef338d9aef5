/// A payout run's "through" date as an admin types it (the command line's `--through`, the
/// Payouts tab's form): a bare date is through the end of that day (UTC), a time is that time.
extension Payouts {
    public static func parseThrough(_ text: String) throws(SettingError) -> Instant {
        let trimmed = text.trimmingSpaces
        guard var t = Instant.parse(trimmed) else {
            throw SettingError(field: "through", message: "\"\(text)\" is not a date like 2026-11-30")
        }
        if trimmed.count == 10 { t = t.adding(seconds: 86_399) }
        if let p = Instant.rangeProblem(t.seconds) { throw SettingError(field: "through", message: p) }
        return t
    }
}
