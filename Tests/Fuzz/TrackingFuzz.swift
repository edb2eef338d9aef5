// libFuzzer target: bytes through the jsonl ingest path (reader, feed, core). See README.md here.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTracking(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput(data, size).run(.jsonl)
    return 0
}
