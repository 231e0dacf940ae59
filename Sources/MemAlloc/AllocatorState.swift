import Platform

/// The storage behind a `MemAllocator` handle (memalloc.c's `struct bpf_mem_alloc`).
public struct AllocatorState {
    @usableFromInline var caches: UnsafeMutablePointer<PerCPUCache>
    @usableFromInline var cpuIDLimit: Int
    @usableFromInline var classCount: Int
    @usableFromInline var nodeIDLimit: Int
    /// 0 on the size-class path, else the single unit size (request + header).
    @usableFromInline var fixedUnitSize: Int
    @usableFromInline var onlineCPUs: [Int]
    @usableFromInline var memory: NodeMemory
    /// Set by `destroy()`. The storage itself stays readable only when `keepsTombstone`.
    public internal(set) var isDestroyed: Bool
    @usableFromInline var keepsTombstone: Bool
    /// A slot for the lifetime strategy that owns this allocator (e.g. its refcount), so a
    /// free through the header finds the strategy state without another argument. Every
    /// cache's descriptor holds a copy (`MemAllocator.attachLifetime`).
    public internal(set) var context: UnsafeMutableRawPointer?
    /// Unique per allocator in this process, for reports and checkers.
    public let serial: Int
}
