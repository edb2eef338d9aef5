// libFuzzer target: serve's own request parsing (signatures, Bearer, ping, tracking body with the
// route's type) through `ServeParsingDrive` (Tests/ServerTests). See README.md here.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServe(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let broken = ServeParsingDrive.run(Array(UnsafeBufferPointer(start: data, count: size)))
    if !broken.isEmpty { fatalError(broken.joined(separator: "; ")) }
    return 0
}
