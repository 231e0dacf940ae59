import Glibc

/// Every cache of /proc/slabinfo at one moment: active objects × object size per cache, so
/// the bytes a step took from slab are the difference of two snapshots (system-wide: other
/// activity on the machine shows up too, which is why probes repeat a step many times).
public struct SlabTotals: Sendable {
    public var bytes: [String: Int] = [:]

    /// nil when /proc/slabinfo is unreadable (not root).
    public static func read() -> SlabTotals? {
        guard let file = fopen("/proc/slabinfo", "r") else { return nil }
        defer { fclose(file) }
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        var totals = SlabTotals()
        while getline(&buffer, &capacity, file) > 0, let buffer {
            let f = String(cString: buffer).split(separator: " ", omittingEmptySubsequences: true)
            // name active_objs num_objs objsize ...
            guard f.count > 3, let active = Int(f[1]), let size = Int(f[3]) else { continue }
            totals.bytes[String(f[0])] = active * size
        }
        return totals
    }

    /// Bytes gained since `before` in caches whose name starts with `prefix` ("kmalloc": every
    /// kmalloc cache, accounted or not).
    public func delta(since before: SlabTotals, prefix: String = "kmalloc") -> Int {
        bytes.filter { $0.key.hasPrefix(prefix) }.reduce(0) { $0 + $1.value - (before.bytes[$1.key] ?? 0) }
    }

    /// Bytes gained since `before` in exactly the named caches.
    public func delta(since before: SlabTotals, caches: Set<String>) -> Int {
        bytes.filter { caches.contains($0.key) }.reduce(0) { $0 + $1.value - (before.bytes[$1.key] ?? 0) }
    }
}
