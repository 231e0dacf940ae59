import MemAlloc

/// A policy that keeps an allocator alive while its objects live (the subject of the seed
/// thread). Every policy runs over the one core (`MemAllocator`); the model and the runner are
/// generic over it, so each hook below is specialized and inlined into the hot path — no
/// existential, no dynamic dispatch per operation.
///
/// Implementations are caseless enums: the policy is all in the type.
public protocol LifetimeStrategy {
    /// Stable name used on the command line and in results: "atomic", "percpu-ref", ….
    static var name: String { get }
    /// One line for `bench list`.
    static var summary: String { get }
    /// Why nothing can be allocated from the allocator after the kill (every per-program design:
    /// "once that bpf_map is gone, you cannot do any more allocations anyway"); for `global`,
    /// why there is no kill. The after-kill phase therefore measures frees only.
    static var whyNoAllocationAfterKill: String { get }

    /// Which path of the allocator map the policy uses (kmem-cache: the fixed-size path).
    static func allocatorPath(objectSize: Int) -> MemAllocator.Path
    /// Program unload walks the values of its used maps into their `used_allocators`.
    static var collectsUsedAllocators: Bool { get }
    /// One immortal allocator per world (`bpf_global_ma`), never killed.
    static var isImmortal: Bool { get }
    /// The lifetime needs a percpu_ref.
    static var usesPercpuRef: Bool { get }
    /// Frees must find the owner's lifetime through the header (per-object accounting).
    static var countsObjects: Bool { get }

    /// After a successful allocation made while the owner is alive (the caller holds the
    /// allocator map, so the count cannot be zero): take the object's reference. `words` are the
    /// allocator's hot accounting words (`AllocatorLifetime.hotWords`: a percpu_ref's, or the
    /// atomic count's), as every cache descriptor holds them.
    static func objectAllocated(words: UnsafeMutableRawPointer, cpu: Int)
    /// After the object went back to the allocator: drop its reference (may destroy). `owner`
    /// is the object's owner cache, read from its header before the free.
    static func objectFreed(words: UnsafeMutableRawPointer, owner: UnsafeMutablePointer<PerCPUCache>, cpu: Int)
    /// The last owner reference went: the allocator map is freed and no `used_allocators`
    /// entry holds the allocator. What the policy does is the "kill".
    static func ownerGone(_ lifetime: AllocatorLifetime) -> KillReport
}

/// What a kill did and cost. Durations in nanoseconds; nil where the step does not exist.
public struct KillReport: Equatable, Sendable, CustomStringConvertible {
    public var strategy: String
    /// One line: what happened ("percpu_ref_kill: switched to atomic after a grace period").
    public var action: String
    /// The kill itself (for percpu-ref: flag, drop, grace period and fold).
    public var killNanoseconds: Int?
    /// The grace period inside the kill (percpu-ref, hybrid when its kill ran).
    public var gracePeriodNanoseconds: Int?
    /// Program unload: the used_allocators walk over every value of every used map.
    public var walkNanoseconds: Int?
    public var valuesWalked: Int
    /// Allocators newly added to `used_allocators` by the walk.
    public var allocatorsCollected: Int
    /// The allocator was destroyed by the kill itself (no objects, or lazy's early free).
    public var destroyedAllocator: Bool

    public init(strategy: String, action: String, killNanoseconds: Int? = nil, gracePeriodNanoseconds: Int? = nil,
                walkNanoseconds: Int? = nil, valuesWalked: Int = 0, allocatorsCollected: Int = 0,
                destroyedAllocator: Bool = false) {
        self.strategy = strategy
        self.action = action
        self.killNanoseconds = killNanoseconds
        self.gracePeriodNanoseconds = gracePeriodNanoseconds
        self.walkNanoseconds = walkNanoseconds
        self.valuesWalked = valuesWalked
        self.allocatorsCollected = allocatorsCollected
        self.destroyedAllocator = destroyedAllocator
    }

    public var description: String {
        var parts = ["\(strategy): \(action)"]
        if let k = killNanoseconds { parts.append("kill \(k) ns") }
        if let g = gracePeriodNanoseconds { parts.append("grace period \(g) ns") }
        if let w = walkNanoseconds { parts.append("walk \(w) ns over \(valuesWalked) values") }
        if destroyedAllocator { parts.append("allocator destroyed") }
        return parts.joined(separator: ", ")
    }
}

// MARK: The operations every policy exposes, built from its hooks

extension LifetimeStrategy {
    public static var collectsUsedAllocators: Bool { false }
    public static var isImmortal: Bool { false }
    public static var usesPercpuRef: Bool { false }
    public static func allocatorPath(objectSize: Int) -> MemAllocator.Path { .sizeClasses }

    @inlinable @inline(__always)
    public static func objectAllocated(_ lifetime: AllocatorLifetime, cpu: Int) {
        objectAllocated(words: lifetime.hotWords, cpu: cpu)
    }

    @inlinable @inline(__always)
    public static func objectFreed(_ lifetime: AllocatorLifetime, cpu: Int) {
        objectFreed(words: lifetime.hotWords, owner: lifetime.anyCache, cpu: cpu)
    }

    /// `bpf_obj_alloc` while the owner is alive.
    @inlinable @inline(__always)
    public static func allocate(from lifetime: AllocatorLifetime, size: Int, cpu: Int) -> UnsafeMutableRawPointer? {
        guard let object = lifetime.allocator.allocate(size: size, cpu: cpu) else { return nil }
        objectAllocated(lifetime, cpu: cpu)
        return object
    }

    /// `bpf_obj_free(ptr)`: the owner cache comes from the header (one load), its descriptor
    /// holds the lifetime's words; the object goes back first, then its reference is dropped
    /// (which may destroy the allocator, so nothing touches it after).
    @inlinable @inline(__always)
    public static func free(_ object: UnsafeMutableRawPointer, cpu: Int) {
        let owner = MemAllocator.ownerCache(of: object)
        if countsObjects {
            let words = MemAllocator.lifetimeWords(of: owner)
            MemAllocator.free(object, owner: owner, cpu: cpu)
            objectFreed(words: words, owner: owner, cpu: cpu)
        } else {
            MemAllocator.free(object, owner: owner, cpu: cpu)
        }
    }
}
