import MemAlloc
import Strategies

/// `BPF_MAP_TYPE_ALLOCATOR` (seed point 1): owns an allocator and holds its initial (owner)
/// reference. `bpf_obj_alloc` needs this map, so once it is freed no program can allocate
/// from the allocator any more. Freeing it drops the owner reference, which — when nothing
/// else (`used_allocators`) holds the allocator — is the strategy's kill.
///
/// For `global` there is no per-map allocator: the map stands for `bpf_global_ma`, holds no
/// owner reference, and freeing it changes nothing.
public final class AllocatorMap<S: LifetimeStrategy>: BPFMap<S> {
    public let lifetime: AllocatorLifetime
    /// What the kill did, when freeing this map was the kill.
    public private(set) var killReport: KillReport?

    init(world: BPFWorld<S>, lifetime: AllocatorLifetime, holdsOwner: Bool) {
        self.lifetime = lifetime
        self.holdsOwner = holdsOwner
        super.init(world: world)
        if holdsOwner { lifetime.acquireOwner() }
    }

    private let holdsOwner: Bool

    public var allocator: MemAllocator { lifetime.allocator }

    override public func freeObject(cpu: Int) {
        guard holdsOwner else { return }
        killReport = lifetime.releaseOwner(S.self)
    }
}
