/// A run of units carved from node memory for one CPU's cache of one class (the role
/// `kmalloc_node`'s slab plays for memalloc.c). Units are carved by bumping a cursor only as
/// refills need them, so a page is first touched by the refill that hands it out, on the CPU
/// that owns it, under no lock.
struct SlabHeader {
    static let size = 64  // keeps units cache-line aligned
    var next: UnsafeMutableRawPointer?
    var bytes: Int

    /// Slab size for a class: at least 64 KiB and room for four refill batches, rounded to
    /// pages. Large enough that slab mmaps/munmaps stay rare (each munmap while another worker
    /// runs costs a TLB-shootdown IPI); the pages are only reserved until a refill touches them.
    static func slabBytes(unitSize: Int, batch: Int) -> Int {
        let want = max(64 << 10, SlabHeader.size + unitSize * batch * 4)
        return (want + 4095) & ~4095
    }
}
