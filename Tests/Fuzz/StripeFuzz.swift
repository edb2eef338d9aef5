// libFuzzer target: bytes through the stripe ingest path (reader, feed, core). See README.md here.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStripe(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput(data, size).run(.stripe)
    return 0
}
