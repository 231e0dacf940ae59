import Glibc

/// Objects in use in one kmalloc cache, from /proc/slabinfo (root only). bpf_mem_alloc refills
/// with kmalloc(__GFP_ACCOUNT), so its objects live in `kmalloc-cg-<unit size>`: the count
/// rising by N while N objects are held proves the kernel allocator handed them out.
public enum SlabUsage {
    /// bpf_mem_alloc's unit sizes (memalloc.c): an object plus its 8-byte llist header is
    /// rounded up to the first of these.
    static let unitSizes = [16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096]

    /// The kmalloc cache holding bpf_global_ma objects of `objectSize` bytes.
    public static func globalAllocatorCache(objectSize: Int) -> String? {
        guard let unit = unitSizes.first(where: { $0 >= objectSize + 8 }) else { return nil }
        return "kmalloc-cg-" + (unit >= 1024 ? "\(unit / 1024)k" : "\(unit)")
    }

    /// `active_objs` of cache `name`, nil when /proc/slabinfo is unreadable or has no such cache.
    /// The corresponding file is /proc/slabinfo (SLUB counts objects on per-CPU slabs as active).
    public static func activeObjects(cache name: String) -> Int? {
        // /proc files report size 0: read them line by line, not with String(contentsOfFile:).
        guard let file = fopen("/proc/slabinfo", "r") else { return nil }
        defer { fclose(file) }
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        while getline(&buffer, &capacity, file) > 0, let buffer {
            let line = String(cString: buffer)
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count > 2, fields[0] == name { return Int(fields[1]) }
        }
        return nil
    }

    /// Bytes in use (active objects × object size) summed over the caches whose name starts
    /// with `prefix` (`kmalloc-cg-`: every accounted kmalloc size, where bpf_mem_alloc's refills
    /// land whatever their unit); nil when /proc/slabinfo is unreadable.
    public static func activeBytes(prefix: String) -> Int? {
        guard let file = fopen("/proc/slabinfo", "r") else { return nil }
        defer { fclose(file) }
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        var total = 0
        while getline(&buffer, &capacity, file) > 0, let buffer {
            let fields = String(cString: buffer).split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3, fields[0].hasPrefix(prefix), let active = Int(fields[1]), let size = Int(fields[3]) else { continue }
            total += active * size
        }
        return total
    }
}
