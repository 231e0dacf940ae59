import Glibc
import Strategies

/// `BPF_MAP_TYPE_ARRAY_OF_MAPS`: an outer map whose values are inner array maps. An entry holds
/// a reference to its inner map; deleting the entry drops it, so an inner map whose fd is still
/// open outlives the entry. The unload walk descends into the inner maps the entries hold now;
/// an inner map whose entry was deleted is reached by no `used_maps` path (Kumar's second hole).
public final class MapOfMaps<S: LifetimeStrategy>: BPFMap<S> {
    public let entryCount: Int
    private var lock = pthread_mutex_t()
    private var entries: [ArrayMap<S>?]

    init(world: BPFWorld<S>, entryCount: Int) {
        self.entryCount = entryCount
        entries = Array(repeating: nil, count: entryCount)
        pthread_mutex_init(&lock, nil)
        super.init(world: world)
    }

    deinit { pthread_mutex_destroy(&lock) }

    /// `bpf_map_lookup_elem(outer, index)`.
    public func lookup(_ index: Int) -> ArrayMap<S>? {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return entries[index]
    }

    /// `bpf_map_update_elem(outer, index, inner_fd)`: the entry holds a reference.
    public func update(_ index: Int, with inner: ArrayMap<S>, cpu: Int? = nil) {
        inner.hold()
        pthread_mutex_lock(&lock)
        let old = entries[index]
        entries[index] = inner
        pthread_mutex_unlock(&lock)
        old?.drop(cpu: cpu ?? world.controlCPU)
    }

    /// `bpf_map_delete_elem(outer, index)`: drops the entry's reference.
    public func delete(_ index: Int, cpu: Int? = nil) {
        pthread_mutex_lock(&lock)
        let old = entries[index]
        entries[index] = nil
        pthread_mutex_unlock(&lock)
        old?.drop(cpu: cpu ?? world.controlCPU)
    }

    override public func freeObject(cpu: Int) {
        for i in 0..<entryCount { delete(i, cpu: cpu) }
    }
}
