// Shared by the libFuzzer targets in this folder (see README.md here). The first byte of an
// input sets how the reader is driven, so the fuzzer explores chunk ends and the size limit:
// bit 0 set: read in chunks of 1 + (byte >> 2) % 64 bytes (else 1 MiB); bit 1 set: a size
// limit of 256 bytes (else the real 1 MiB); bit 6 set: tax excluded from the commission base.
struct FuzzInput {
    var bytes: [UInt8]
    var chunkBytes = 1 << 20
    var limit = FeedLimits.recordBytes
    var taxExcluded = false

    init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        let all = Array(UnsafeBufferPointer(start: data, count: size))
        guard let mode = all.first else { bytes = []; return }
        bytes = Array(all.dropFirst())
        if mode & 1 != 0 { chunkBytes = 1 + Int(mode >> 2) % 64 }
        if mode & 2 != 0 { limit = 256 }
        taxExcluded = mode & 64 != 0
    }

    func run(_ format: Pipeline.Format) {
        Pipeline.run(bytes, format: format, taxExcluded: taxExcluded, chunkBytes: chunkBytes, limit: limit)
    }
}
