/// Sizes of the kernel structures an allocator costs beyond its objects, as the running
/// kernel's BTF states them (`KernelStructSizes.fromBTF` in KernelAllocator reads them; the
/// defaults are what 6.18's /sys/kernel/btf/vmlinux says, used where no BTF is readable).
public struct KernelStructSizes: Equatable, Sendable {
    /// `sizeof(struct bpf_mem_cache)`: one per possible CPU per size class, from alloc_percpu.
    public var memCache: Int
    /// `sizeof(struct bpf_mem_alloc)`: embedded in its owner (map, or the global one).
    public var memAlloc: Int
    /// `sizeof(struct percpu_ref_data)`: kzalloc'd by percpu_ref_init beside the per-CPU counter.
    public var percpuRefData: Int
    /// Where the sizes come from ("BTF of <release>" or "6.18 BTF defaults").
    public var source: String

    public init(memCache: Int, memAlloc: Int, percpuRefData: Int, source: String) {
        self.memCache = memCache
        self.memAlloc = memAlloc
        self.percpuRefData = percpuRefData
        self.source = source
    }

    /// Read from /sys/kernel/btf/vmlinux of 6.18.44 (`bpftool btf dump ... | grep STRUCT`).
    public static let linux618 = KernelStructSizes(memCache: 224, memAlloc: 80, percpuRefData: 56,
                                                   source: "6.18 BTF defaults")
}

/// The kmalloc cache an object of `bytes` lands in (SLUB's kmalloc-8 … kmalloc-8k, with the
/// 96 and 192 caches), i.e. what the kernel really spends per object; whole pages above 8 KiB.
public enum KmallocSize {
    public static let caches = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192]

    public static func of(_ bytes: Int) -> Int {
        if let c = caches.first(where: { $0 >= bytes }) { return c }
        return (bytes + 4095) & ~4095
    }
}

/// What one allocator holds, per size class and per CPU, in two currencies, computed from the
/// model's own accounting (`stats()` and the per-CPU list counts), never estimated:
/// - **kernel-equivalent** (what kernel/bpf/memalloc.c pays): the objects on the per-CPU free
///   lists, each a kmalloc object of its unit size, plus one `bpf_mem_cache` per possible CPU
///   per class and the `bpf_mem_alloc` itself. Surplus the kernel drains goes back to kmalloc
///   (after a grace period), so the model's spare and returned lists — its stand-in for SLUB's
///   own freelists — are not the allocator's in the kernel.
/// - **model** (what this process reserves): the 64 KiB slabs carved per (CPU, class), spare
///   lists included, plus the cache array and state. The kernel does not pay this: its objects
///   come from kmalloc slabs shared with every other kmalloc user.
public struct AllocatorFootprint: Equatable, Sendable {
    public struct PerClass: Equatable, Sendable {
        public let unitSize: Int
        /// The kmalloc object the kernel would allocate for this unit.
        public var kmallocSize: Int { KmallocSize.of(unitSize) }
        /// Free objects on per-CPU free lists (memalloc.c's `free_llist`, `free_cnt`).
        public var listObjects = 0
        /// The model's spare and returned units (the kernel would have kfree'd them).
        public var spareObjects = 0
        public var outstanding = 0
        /// The model's slab bytes for this class.
        public var slabBytes = 0
    }

    public let classes: [PerClass]
    /// Free-list objects per CPU id per class (`[cpu][class]`).
    public let listObjectsPerCPU: [[Int]]
    /// Possible CPUs: caches exist for every CPU id below this (nr_cpu_ids).
    public var possibleCPUs: Int { listObjectsPerCPU.count }
    /// The model's own bookkeeping: the cache array and the allocator state.
    public let bookkeepingBytes: Int

    public var listObjects: Int { classes.reduce(0) { $0 + $1.listObjects } }
    /// Objects on the per-CPU lists × their unit size.
    public var listBytes: Int { classes.reduce(0) { $0 + $1.listObjects * $1.unitSize } }
    /// The model's slabs + bookkeeping: what this process reserves for the allocator.
    public var modelBytes: Int { classes.reduce(0) { $0 + $1.slabBytes } + bookkeepingBytes }
    public var outstanding: Int { classes.reduce(0) { $0 + $1.outstanding } }

    /// What the kernel would hold for this allocator: list objects at their kmalloc size, one
    /// `bpf_mem_cache` per possible CPU per class, the `bpf_mem_alloc`.
    public func kernelBytes(_ sizes: KernelStructSizes) -> Int {
        classes.reduce(0) { $0 + $1.listObjects * $1.kmallocSize } + structBytes(sizes)
    }

    /// The allocator's kernel structures alone (no objects).
    public func structBytes(_ sizes: KernelStructSizes) -> Int {
        possibleCPUs * classes.count * sizes.memCache + sizes.memAlloc
    }

    /// Kernel-equivalent bytes of one CPU: its list objects and its caches' structs.
    public func kernelBytes(cpu: Int, _ sizes: KernelStructSizes) -> Int {
        zip(listObjectsPerCPU[cpu], classes).reduce(0) { $0 + $1.0 * $1.1.kmallocSize } + classes.count * sizes.memCache
    }

    /// Free-list bytes of one class on one CPU.
    public func listBytes(cpu: Int, classIndex: Int) -> Int { listObjectsPerCPU[cpu][classIndex] * classes[classIndex].unitSize }
}

extension MemAllocator {
    /// The allocator's footprint from its own accounting. Call only while no worker uses it.
    public func footprint() -> AllocatorFootprint {
        let st = stats()
        let s = state
        let nc = s.pointee.classCount
        var perCPU = [[Int]](repeating: [Int](repeating: 0, count: nc), count: s.pointee.cpuIDLimit)
        for cpu in 0..<s.pointee.cpuIDLimit {
            for cls in 0..<nc { perCPU[cpu][cls] = s.pointee.caches[cpu * nc + cls].freeCount }
        }
        let classes = st.classes.map { c in
            var p = AllocatorFootprint.PerClass(unitSize: c.unitSize)
            p.listObjects = c.cachedObjects
            p.spareObjects = c.spareObjects + c.returnedObjects
            p.outstanding = c.outstanding
            p.slabBytes = c.slabBytes
            return p
        }
        let bookkeeping = s.pointee.cpuIDLimit * nc * MemoryLayout<PerCPUCache>.stride + MemoryLayout<AllocatorState>.stride
        return AllocatorFootprint(classes: classes, listObjectsPerCPU: perCPU, bookkeepingBytes: bookkeeping)
    }
}
