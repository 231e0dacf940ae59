/// The 8 bytes before every object (seed, point 4.1).
///
/// While the object is allocated the word holds its owner: the `PerCPUCache` it was allocated
/// from, which knows its allocator, size class, CPU and node, so `free(ptr)` needs no other
/// argument. While the object sits on a free list the same word is the intrusive list link
/// (memalloc.c reuses the `llist_node` the same way).
public enum ObjectHeader {
    public static let size = 8

    @inlinable @inline(__always)
    static func unit(of object: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer { object - size }

    @inlinable @inline(__always)
    static func object(of unit: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer { unit + size }

    @inlinable @inline(__always)
    static func owner(ofUnit unit: UnsafeMutableRawPointer) -> UnsafeMutablePointer<PerCPUCache> {
        unit.load(as: UnsafeMutablePointer<PerCPUCache>.self)
    }

    @inlinable @inline(__always)
    static func setOwner(_ cache: UnsafeMutablePointer<PerCPUCache>, ofUnit unit: UnsafeMutableRawPointer) {
        unit.storeBytes(of: cache, as: UnsafeMutablePointer<PerCPUCache>.self)
    }

    @inlinable @inline(__always)
    static func next(ofUnit unit: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        unit.load(as: UnsafeMutableRawPointer?.self)
    }

    @inlinable @inline(__always)
    static func setNext(_ next: UnsafeMutableRawPointer?, ofUnit unit: UnsafeMutableRawPointer) {
        unit.storeBytes(of: next, as: UnsafeMutableRawPointer?.self)
    }
}
