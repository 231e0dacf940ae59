import Atomics

/// Atomic words that each own a cache-line pair, in manually allocated memory: the storage
/// behind `UnsafeAtomic` handles that hot paths share between threads without false sharing.
public enum PaddedAtomicStorage {
    /// Stride between words: two lines, as the core's per-CPU stride (adjacent-line prefetch).
    public static let stride = 128

    /// Allocates `count` zeroed atomic words, `stride` bytes apart, aligned to the stride.
    public static func allocate(count: Int) -> UnsafeMutableRawPointer {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * stride, alignment: stride)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1) * stride)
        for i in 0..<count {
            (raw + i * stride).bindMemory(to: UnsafeAtomic<Int>.Storage.self, capacity: 1)
                .initialize(to: UnsafeAtomic<Int>.Storage(0))
        }
        return raw
    }

    /// The atomic word at `index`.
    @inlinable @inline(__always)
    public static func word(_ base: UnsafeMutableRawPointer, _ index: Int) -> UnsafeAtomic<Int> {
        UnsafeAtomic(at: (base + index &* stride).assumingMemoryBound(to: UnsafeAtomic<Int>.Storage.self))
    }

    public static func deallocate(_ base: UnsafeMutableRawPointer) { base.deallocate() }
}
