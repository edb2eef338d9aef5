/// A 128-bit non-cryptographic digest (two independent 64-bit FNV-1a streams with a final mix),
/// used as an event's idempotency key when the payload has no id of its own.
public enum StableHash {
    public static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var s = Stream()
        for byte in bytes { s.add(byte) }
        return s.hex
    }

    public static func hex(_ s: String) -> String { hex(s.utf8) }

    /// The digest fed piece by piece: the same bytes in any pieces give the same `hex`.
    struct Stream {
        private var a: UInt64 = 0xcbf2_9ce4_8422_2325
        private var b: UInt64 = 0x6c62_272e_07bb_0142

        @inline(__always) mutating func add(_ byte: UInt8) {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            b = (b ^ UInt64(byte) ^ 0x5a) &* 0x0000_0100_0000_01b3
        }

        mutating func add(_ bytes: ArraySlice<UInt8>) { for byte in bytes { add(byte) } }

        var hex: String { StableHash.hex64(StableHash.mix(a)) + StableHash.hex64(StableHash.mix(b ^ a >> 7)) }
    }

    static func mix(_ x0: UInt64) -> UInt64 {
        var x = x0
        x = (x ^ (x >> 30)) &* 0xbf58_476d_1ce4_e5b9
        x = (x ^ (x >> 27)) &* 0x94d0_49bb_1331_11eb
        return x ^ (x >> 31)
    }

    static func hex64(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
