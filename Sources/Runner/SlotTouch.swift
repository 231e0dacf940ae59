import Results
/// Every free after the kill starts from the same cache state: each object is taken out of its
/// slot, written and put back just before it is freed (see `RepetitionRun.freeTimed`).
enum SlotTouch {
    /// Takes each object of `slots` out of its slot, writes it and puts it back.
    @inline(__always)
    static func touch<T: WorkloadTarget>(_ target: T, cpu: Int, slots: Range<Int>, sink: inout UInt8) {
        for slot in slots {
            if let p = target.exchange(slot: slot, with: nil, cpu: cpu) {
                sink &+= p.load(as: UInt8.self)
                p.storeBytes(of: sink, as: UInt8.self)
                _ = target.exchange(slot: slot, with: p, cpu: cpu)
            }
        }
    }
}
