/// The size classes of kernel/bpf/memalloc.c (`NUM_CACHES = 11`), sizes *including* the
/// 8-byte header: a 64-byte request lives in the 128-byte class.
public enum SizeClass {
    /// Unit sizes of the 11 classes (memalloc.c `sizes[]`).
    public static let unitSizes: [Int] = [16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096]
    public static let count = 11
    /// Largest request: 4096 − header (memalloc.c rejects larger with NULL).
    public static let maxRequest = 4096 - ObjectHeader.size

    // memalloc.c maps units ≤ 192 through a 24-entry table indexed by (unit−1)/8; above 192,
    // by the highest set bit. The table is packed here, 4 bits a bucket, so the hot path reads
    // no memory: buckets 0...15 in `lowBuckets`, 16...23 in `highBuckets`.
    // Each entry is the smallest class ≥ 8·(bucket+1); a test rebuilds it from `unitSizes`.
    @usableFromInline static let lowBuckets: UInt64 = 0x4444_3333_2222_1100
    @usableFromInline static let highBuckets: UInt64 = 0x5555_5555

    /// Class index for a unit (request + header) of 1...4096 bytes.
    @inlinable @inline(__always)
    public static func index(forUnit unit: Int) -> Int {
        if unit <= 192 {
            let bucket = (unit &- 1) &>> 3
            let packed = bucket < 16 ? lowBuckets &>> UInt64(bucket &* 4) : highBuckets &>> UInt64((bucket &- 16) &* 4)
            return Int(packed & 0xF)
        }
        // fls(unit − 1) − 2: 193...256 → 6, 257...512 → 7, ..., 2049...4096 → 10.
        return (Int.bitWidth &- (unit &- 1).leadingZeroBitCount) &- 2
    }

    /// Class index for a request of `size` bytes, or nil when `size` is 0 or > 4088 (the
    /// kernel returns NULL for both).
    @inlinable @inline(__always)
    public static func index(forRequest size: Int) -> Int? {
        guard size > 0 && size <= maxRequest else { return nil }
        return index(forUnit: size &+ ObjectHeader.size)
    }
}
