// libFuzzer target: the time parser the feeds use (Instant.parse, and the number-or-text reading
// of PayloadField.utcTime), and what is done with a parsed time. See README.md here.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInstant(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let t = Instant.parse(text) {
        _ = t.iso8601
        _ = t.monthKey
    }
    if let t = try? PayloadField.utcTime(.string(text), field: "at") { _ = t.iso8601 }
    if let t = try? PayloadField.utcTime(.number(text), field: "at") { _ = t.iso8601 }
    return 0
}
