/// What a row's operation was: the `op` column of the results CSV. Open for the same reason as
/// `Phase`; parameterised ops (a size class, a count) are made by the functions below.
public struct Op: ColumnName {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    // The workloads' operations.
    public static let alloc = Op(rawValue: "alloc")
    public static let free = Op(rawValue: "free")
    /// An alloc and its free, timed together.
    public static let pair = Op(rawValue: "pair")

    // Life events of an allocator and its lifetime.
    public static let kill = Op(rawValue: "kill")
    /// Kill until the switch to atomic is done (percpu_ref's confirm).
    public static let confirm = Op(rawValue: "confirm")
    /// The RCU grace period alone.
    public static let grace = Op(rawValue: "grace")
    /// Folding the per-CPU counts into the atomic.
    public static let fold = Op(rawValue: "fold")
    /// The lazy policy's walk of every map value at unload.
    public static let walk = Op(rawValue: "walk")
    public static let drain = Op(rawValue: "drain")
    public static let destroy = Op(rawValue: "destroy")
    public static let teardown = Op(rawValue: "teardown")
    public static let create = Op(rawValue: "create")
    /// Creating the lifetime's own counter.
    public static let refCreate = Op(rawValue: "ref-create")
    /// The frees racing the kill.
    public static let killFree = Op(rawValue: "kill-free")
    /// The map's free of the values left at the end.
    public static let mapFree = Op(rawValue: "map-free")
    /// The allocator's boot prefill.
    public static let boot = Op(rawValue: "boot")

    // Host calibration.
    public static let tsc = Op(rawValue: "tsc")
    public static let pingpong = Op(rawValue: "pingpong")
    public static let rmw = Op(rawValue: "rmw")
    public static let pinned = Op(rawValue: "pinned")

    // The kernel's own refcounts (phase native).
    public static let getPutLive = Op(rawValue: "get-put-live")
    public static let getPutKilled = Op(rawValue: "get-put-killed")
    /// Phase native: an emulated policy's bpf_obj_new + get and bpf_obj_drop + put timed apart
    /// in the kernel, live and after the policy's kill.
    public static let newGetLive = Op(rawValue: "new-get-live")
    public static let dropPutLive = Op(rawValue: "drop-put-live")
    public static let newGetKilled = Op(rawValue: "new-get-killed")
    public static let dropPutKilled = Op(rawValue: "drop-put-killed")
    public static let sharedGetPut = Op(rawValue: "shared-get-put")
    public static let atomicSwitch = Op(rawValue: "atomic-switch")
    /// Accounting alone: a policy's op over the control.
    public static let acct = Op(rawValue: "acct")

    // The pair's anatomy (phase anatomy): its parts' time and what the probes counted.
    /// An empty bpf_loop step: the harness's own share of a pair.
    public static let harness = Op(rawValue: "harness")
    /// Time inside irq_work handlers (entry → exit), or irq_works counted.
    public static let irqWork = Op(rawValue: "irq-work")
    /// An irq_work's time outside its handler: raising the self-IPI, entering and returning.
    public static let irqWorkOutside = Op(rawValue: "irq-work-outside")
    /// Time inside the RCU softirq, or RCU softirqs counted.
    public static let rcuSoftirq = Op(rawValue: "rcu-softirq")
    /// The pair less every part measured: what the anatomy leaves unexplained.
    public static let rest = Op(rawValue: "rest")
    /// kmallocs of the objects' own kmalloc size (a fresh object: the regime's mark).
    public static let kmallocUnit = Op(rawValue: "kmalloc-unit")
    /// kmallocs and kfrees of any size.
    public static let kmalloc = Op(rawValue: "kmalloc")
    public static let kfree = Op(rawValue: "kfree")
    /// Page allocations of any order.
    public static let pages = Op(rawValue: "pages")
    /// A probe's own cost per event it fired for.
    public static let probe = Op(rawValue: "probe")
    /// bpf_timer_init's kmalloc_nolock + kfree_nolock (a context row, not the pair's).
    public static let kmallocNolock = Op(rawValue: "kmalloc-nolock")
    /// Slab bytes held while the pair churns.
    public static let held = Op(rawValue: "held")

    // Who a memory cgroup charges (phase own, kernel).
    public static let objNewInside = Op(rawValue: "obj-new-inside")
    public static let createInsideFillOutside = Op(rawValue: "create-inside-fill-outside")
    public static let createOutsideFillInside = Op(rawValue: "create-outside-fill-inside")

    /// A safety verdict's reuse rule (`immediate`, `rcu`): the op column of a scenario row.
    public static func reuseRule(_ name: String) -> Op { Op(rawValue: name) }

    /// One CPU's list of one size class (phase own).
    public static func sizeClass(_ unit: Int) -> Op { Op(rawValue: "class-\(unit)") }
    /// The unit of a `class-<unit>` op.
    public var sizeClassUnit: Int? { rawValue.hasPrefix("class-") ? Int(rawValue.dropFirst(6)) : nil }
    /// The steady state a workload's traffic leaves behind (phase own).
    public static func steady(_ workload: String) -> Op { Op(rawValue: "steady-\(workload)") }
    public var steadyWorkload: String? { rawValue.hasPrefix("steady-") ? String(rawValue.dropFirst(7)) : nil }
    /// `n` allocators created at once (phase own).
    public static func allocators(_ n: Int) -> Op { Op(rawValue: "allocators-\(n)") }
    public var allocatorCount: Int? { rawValue.hasPrefix("allocators-") ? Int(rawValue.dropFirst(11)) : nil }
    /// Destroying `n` allocators at once (phase own).
    public static func destroy(_ n: Int) -> Op { Op(rawValue: "destroy-\(n)") }
    /// Creating a kernel map of `entries` entries (phase own).
    public static func mapCreate(entries: Int) -> Op { Op(rawValue: "create-\(entries)") }
    public var mapCreateEntries: Int? { rawValue.hasPrefix("create-") ? Int(rawValue.dropFirst(7)) : nil }
}

extension Op {
    /// The metric of an anatomy part's time: the parts got as differences (irq_work outside its
    /// handler, the rest) can be negative and are `difference_ns`; the measured ones `ns_per_op`.
    public var anatomyMetric: Metric { self == .irqWorkOutside || self == .rest ? .differenceNs : .nsPerOp }
}
