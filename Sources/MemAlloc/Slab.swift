/// A run of units carved from node memory for one CPU's cache of one class (the role
/// `kmalloc_node`'s slab plays for memalloc.c). Units are carved by bumping a cursor only as
/// refills need them, so a page is first touched by the refill that hands it out, on the CPU
/// that owns it, under no lock.
struct SlabHeader {
    static let size = 64  // keeps units cache-line aligned
    var next: UnsafeMutableRawPointer?
    var bytes: Int

    /// Slab size for a class: at least a page and room for four refill batches, rounded to
    /// pages. Per (CPU, class), so small: a 256-CPU machine's prefill stays in the megabytes.
    static func slabBytes(unitSize: Int, batch: Int) -> Int {
        let want = max(4096, SlabHeader.size + unitSize * batch * 4)
        return (want + 4095) & ~4095
    }
}
