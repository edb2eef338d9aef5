// libFuzzer target: bytes through the woocommerce ingest path (reader, feed, core). See README.md here.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWooCommerce(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput(data, size).run(.woocommerce)
    return 0
}
