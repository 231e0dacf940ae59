import Atomics

/// A kernel object with a reference count: maps and programs. References are held by file
/// descriptors, pins, programs' `used_maps`, and outer maps' entries; dropping the last frees
/// the object (`bpf_map_put` → `map_free`, `bpf_prog_put` → unload).
///
/// Control plane only: every hold/drop happens inside a `BPFWorld` control operation, with the
/// CPU whose caches the resulting frees may use.
open class BPFObject {
    /// Unique within the world, for checker events and reports.
    public let id: Int
    private let refs = ManagedAtomic<Int>(0)
    /// Set once freed; the model never resurrects.
    public private(set) var isFreed = false

    init(id: Int) { self.id = id }

    public var referenceCount: Int { refs.load(ordering: .acquiring) }

    /// Takes a reference (`bpf_map_inc`).
    public final func hold() {
        precondition(!isFreed, "object \(id) used after it was freed")
        refs.wrappingIncrement(ordering: .relaxed)
    }

    /// Drops a reference; the last one frees the object on `cpu`.
    public final func drop(cpu: Int) {
        let left = refs.wrappingDecrementThenLoad(ordering: .acquiringAndReleasing)
        precondition(left >= 0, "object \(id): reference dropped below zero")
        if left == 0 {
            isFreed = true
            freeObject(cpu: cpu)
        }
    }

    /// What freeing means for this kind of object. Called once.
    open func freeObject(cpu: Int) {}
}
