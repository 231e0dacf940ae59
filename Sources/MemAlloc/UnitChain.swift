/// A run of free units linked through their headers that moves between lists as one piece:
/// a drain makes one, refills take whole chains. The head unit's payload (its first 8 object
/// bytes, unused while the unit is free) records the chain's tail and length, so a chain is
/// spliced in O(1) without walking units another CPU last wrote.
struct UnitChain {
    let head: UnsafeMutableRawPointer
    let tail: UnsafeMutableRawPointer
    let count: Int

    /// Tail address in the low 48 bits, length in the high 16 (user-space x86-64 and arm64
    /// addresses fit in 48 bits; a drained chain is at most 64 units).
    private static let addressBits = 48

    /// Makes a chain of `head…tail` (`count` units, already linked) and records it in the head.
    init(head: UnsafeMutableRawPointer, tail: UnsafeMutableRawPointer, count: Int) {
        precondition(count > 0 && count < 1 << (64 - UnitChain.addressBits))
        // Linux hands out addresses above 47 bits only to mmap calls that ask for them.
        precondition(UInt(bitPattern: Int(bitPattern: tail)) >> UnitChain.addressBits == 0, "unit address beyond 48 bits")
        self.head = head
        self.tail = tail
        self.count = count
        let packed = UInt(bitPattern: Int(bitPattern: tail)) | UInt(count) << UnitChain.addressBits
        ObjectHeader.object(of: head).storeBytes(of: packed, as: UInt.self)
    }

    /// The chain that starts at `head`, as its record says.
    init(head: UnsafeMutableRawPointer) {
        let packed = ObjectHeader.object(of: head).load(as: UInt.self)
        self.head = head
        tail = UnsafeMutableRawPointer(bitPattern: packed & (1 << UnitChain.addressBits - 1)).unsafelyUnwrapped
        count = Int(packed >> UnitChain.addressBits)
    }

    /// Pushes the whole chain onto the list at `top`.
    func splice(onto top: inout UnsafeMutableRawPointer?) {
        ObjectHeader.setNext(top, ofUnit: tail)
        top = head
    }
}
