import Results
/// What a workload drives: an allocator seen from one pinned worker. Workloads are generic over
/// it, so each (strategy, workload) pair is specialized; nothing on the hot path is an existential.
public protocol WorkloadTarget {
    /// Allocates `size` bytes on `cpu`; nil when the target cannot (e.g. forbidden after kill).
    func allocate(size: Int, cpu: Int) -> UnsafeMutableRawPointer?
    func free(_ object: UnsafeMutableRawPointer, cpu: Int)
    /// kptr_xchg on slot `slot` of the shared value map: stores `object`, returns the old value.
    func exchange(slot: Int, with object: UnsafeMutableRawPointer?, cpu: Int) -> UnsafeMutableRawPointer?
}
