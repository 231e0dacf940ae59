import Atomics

/// The lock-free list a cache's units come home on from other CPUs (memalloc.c returns
/// surplus to `c->tgt` through an llist). Many producers push whole chains; only the owner
/// consumes, and only by taking everything, so a CAS push cannot suffer ABA.
enum ReturnList {
    /// `llist_add_batch`: pushes `chain` onto `cache`'s returned list.
    @inline(__always)
    static func push(_ chain: UnitChain, onto cache: UnsafeMutablePointer<PerCPUCache>) {
        let head = chain.head, tail = chain.tail
        let list = cache.returnedList
        var old = list.load(ordering: .relaxed)
        while true {
            ObjectHeader.setNext(UnsafeMutableRawPointer(bitPattern: old), ofUnit: tail)
            // Release: the links written above are visible to the owner that takes the chain.
            let (done, seen) = list.weakCompareExchange(expected: old, desired: Int(bitPattern: head),
                                                        successOrdering: .releasing, failureOrdering: .relaxed)
            if done { return }
            old = seen
        }
    }

    /// `llist_del_all`: takes the whole returned list of `cache` (owner only).
    @inline(__always)
    static func takeAll(from cache: UnsafeMutablePointer<PerCPUCache>) -> UnsafeMutableRawPointer? {
        let list = cache.returnedList
        // A plain load first: the common case is an empty list, and a load dirties no line.
        if list.load(ordering: .relaxed) == 0 { return nil }
        return UnsafeMutableRawPointer(bitPattern: list.exchange(0, ordering: .acquiring))
    }

    /// Units on the list now (tests and quiescent statistics only).
    static func count(of cache: UnsafeMutablePointer<PerCPUCache>) -> Int {
        var n = 0
        var u = UnsafeMutableRawPointer(bitPattern: cache.returnedList.load(ordering: .acquiring))
        while let unit = u { n += 1; u = ObjectHeader.next(ofUnit: unit) }
        return n
    }
}
