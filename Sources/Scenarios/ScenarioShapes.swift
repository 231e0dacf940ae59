import Results

/// Each scenario's BPF shape (`bench scenarios --explain`): the data the scripts replay.
extension Scenario {
    public var shape: BPFShape {
        switch self {
        case .mapInMapEscape: return ShapeCatalog.mapInMapEscape
        case .concurrentWalk: return ShapeCatalog.concurrentWalk
        case .pinnedMap: return ShapeCatalog.pinnedMap
        case .inFlightAtKill: return ShapeCatalog.inFlightAtKill
        case .remoteLastFree: return ShapeCatalog.remoteLastFree
        case .movedBehindWalk: return ShapeCatalog.movedBehindWalk
        case .lastPutInNMI: return ShapeCatalog.lastPutInNMI
        case .pausedPutAtKill: return ShapeCatalog.pausedPutAtKill
        }
    }
}

/// The shapes, one per scenario, built from a few common parts.
enum ShapeCatalog {
    // MARK: Parts

    static let allocMap = ShapeMap(name: "alloc_map", type: .allocator, entries: .fixed(1), kptrFields: [])
    static func values(_ n: EntryCount, name: String = "values") -> ShapeMap {
        ShapeMap(name: name, type: .array, entries: n, kptrFields: [.node])
    }
    /// The program that allocates: triggered from user space by nanosleep, on CPU 0.
    static func allocProg(_ maps: [String]) -> ShapeProgram {
        ShapeProgram(name: "alloc_prog", type: .tracing, attach: .fentry(function: "do_nanosleep"), usedMaps: ["alloc_map"] + maps,
                     kfuncs: [.objAlloc, .objDrop], helpers: maps.contains("outer") ? [.mapLookupElem, .kptrXchg] : [.kptrXchg])
    }
    /// A second program on CPU 1 that uses the value map only (no allocator map).
    static func drainer(_ name: String, map: String = "values") -> ShapeProgram {
        ShapeProgram(name: name, type: .schedCls, attach: .tcIngress(interface: "lo"), usedMaps: [map],
                     kfuncs: [.objDrop], helpers: [.kptrXchg])
    }
    static func create(_ name: String) -> ShapeStep { .syscall(ShapeSyscall(.mapCreate, name)) }
    static func load(_ name: String) -> ShapeStep { .syscall(ShapeSyscall(.progLoad, name)) }
    static func close(_ name: String, _ effect: SyscallEffect? = nil) -> ShapeStep { .syscall(ShapeSyscall(.close, name, effect)) }
    static let unload = ShapeSyscall(.close, "alloc_prog", .unload)
    static let kill = ShapeSyscall(.close, "alloc_map", .kill)
    /// One alloc_prog run per value: `obj = bpf_obj_alloc(); old = kptr_xchg(&v->kptr, obj); if (old) bpf_obj_drop(old)`.
    static func stash(_ slot: SlotChoice, map: String = "values", repeats: ShapeRun.Repeats = .perValue) -> ShapeStep {
        .run(ShapeRun(program: "alloc_prog", cpu: 0, repeats: repeats, actions: [
            .objAlloc(map: "alloc_map", as: "obj"), .xchgIn(map: map, slot: slot, ref: "obj", old: "old"), .objDrop("old", when: "if non-NULL"),
        ]))
    }
    /// `obj = kptr_xchg(&v->kptr, NULL); if (obj) bpf_obj_drop(obj)`: take out and free in one run.
    static func takeAndDrop(_ program: String, _ slot: SlotChoice, repeats: ShapeRun.Repeats, map: String = "values") -> ShapeRun {
        ShapeRun(program: program, cpu: 1, repeats: repeats, actions: [
            .xchgOut(map: map, slot: slot, as: "obj"), .objDrop("obj", when: nil),
        ])
    }

    // MARK: Shapes

    static let mapInMapEscape = BPFShape(
        programs: [allocProg(["outer"])],
        maps: [allocMap, ShapeMap(name: "outer", type: .arrayOfMaps(inner: "inner"), entries: .fixed(1), kptrFields: []), values(.fixed(1), name: "inner")],
        steps: [create("alloc_map"), create("outer"), create("inner"), .syscall(ShapeSyscall(.mapUpdateElem, "outer")), load("alloc_prog"),
                .run(ShapeRun(program: "alloc_prog", cpu: 0, repeats: .once, actions: [
                    .objAlloc(map: "alloc_map", as: "obj"), .lookupOuter(map: "outer", key: 0),
                    .xchgIn(map: "inner", slot: .value(0), ref: "obj", old: "old"), .objDrop("old", when: "if non-NULL"),
                ])),
                .syscall(ShapeSyscall(.mapDeleteElem, "outer")), .syscall(unload), .syscall(kill), close("inner", .mapFree), close("outer")],
        window: nil)

    static let concurrentWalk = BPFShape(
        programs: [allocProg(["values"]), drainer("racer")],
        maps: [allocMap, values(.random(3...8))],
        steps: [create("alloc_map"), create("values"), load("alloc_prog"), load("racer"), stash(.everyValue),
                close("alloc_map"),  // the program now holds it: its unload is the kill
                .during(unload, runs: [takeAndDrop("racer", .drawn("1–2 drawn values, inside the walk's slot-to-header window"), repeats: .perValue)]),
                close("racer", .unload), close("values", .mapFree)],
        window: nil)

    static let pinnedMap = BPFShape(
        programs: [allocProg(["stash"]), drainer("later", map: "stash")],
        maps: [allocMap, values(.fixed(PinnedMap.values), name: "stash")],
        steps: [create("alloc_map"), create("stash"), .syscall(ShapeSyscall(.objPin, "stash")), close("stash"), load("alloc_prog"),
                stash(.everyValue, map: "stash"), stash(.value(3), map: "stash", repeats: .once),
                .syscall(unload), .syscall(kill), .syscall(ShapeSyscall(.objGet, "stash")), load("later"),
                .run(takeAndDrop("later", .value(0), repeats: .once, map: "stash")), close("later", .unload),
                .syscall(ShapeSyscall(.unlink, "stash")), close("stash", .mapFree)],
        window: nil)

    static let inFlightAtKill = BPFShape(
        programs: [allocProg(["values"]), drainer("drain")],
        maps: [allocMap, values(.random(1...6))],
        steps: [create("alloc_map"), create("values"), load("alloc_prog"), load("drain"), stash(.everyValue),
                .run(ShapeRun(program: "drain", cpu: 1, repeats: .perIteration, actions: [
                    .xchgOut(map: "values", slot: .everyValue, as: "objs[]"),
                    .meanwhile([unload, kill]),
                    .objDrop("objs[]", when: "each at a drawn point: as the kill starts, a drawn delay into it, or at its end (the last one always)"),
                ])),
                close("drain", .unload), close("values", .mapFree)],
        window: "one run of drain: from its kptr_xchg of every value (before the unload) to its last bpf_obj_drop (after the kill returned, or while the kill waits for a grace period, which cannot end before the run does); in the kernel a run of a few hundred instructions, the model stretches it to land the kill inside")

    static let remoteLastFree = BPFShape(
        programs: [allocProg(["values"]), drainer("remote")],
        maps: [allocMap, values(.fixed(RemoteLastFree.values))],
        steps: [create("alloc_map"), create("values"), load("alloc_prog"), load("remote"), stash(.everyValue),
                .syscall(unload), .syscall(kill), .run(takeAndDrop("remote", .everyValue, repeats: .perValue)),
                close("remote", .unload), close("values", .mapFree)],
        window: nil)

    static let movedBehindWalk = BPFShape(
        programs: [allocProg(["values"]), drainer("mover")],
        maps: [allocMap, values(.random(2...8))],
        steps: [create("alloc_map"), create("values"), load("alloc_prog"), load("mover"), stash(.drawn("a drawn late value"), repeats: .once),
                close("alloc_map"),
                .during(unload, runs: [ShapeRun(program: "mover", cpu: 1, repeats: .once, actions: [
                    .xchgOut(map: "values", slot: .drawn("the late value, before the walk reaches it"), as: "obj"),
                    .xchgIn(map: "values", slot: .drawn("an early value the walk already passed"), ref: "obj", old: "old"),
                    .objDrop("old", when: "if non-NULL (it is NULL)"),
                ])]),
                close("mover", .unload), close("values", .mapFree)],
        window: nil)

    static let lastPutInNMI = BPFShape(
        programs: [allocProg(["values"]),
                   ShapeProgram(name: "nmi_drain", type: .perfEvent, attach: .perfEventNMI(event: "cycles on CPU 1"), usedMaps: ["values"],
                                kfuncs: [.objDrop], helpers: [.kptrXchg])],
        maps: [allocMap, values(.fixed(LastPutInNMI.values))],
        steps: [create("alloc_map"), create("values"), load("alloc_prog"), load("nmi_drain"), stash(.everyValue),
                .run(ShapeRun(program: "nmi_drain", cpu: 1, repeats: .once, actions: [
                    .xchgOut(map: "values", slot: .everyValue, as: "objs[]"),
                    .meanwhile([unload, kill]),
                    .objDrop("objs[]", when: "all, after the kill returned (or while it waits for a grace period); the last reference where the kill left it"),
                ])),
                close("nmi_drain", .unload), close("values", .mapFree)],
        window: "one NMI: nmi_drain's single run, from its kptr_xchg of every value (before the unload) to its last bpf_obj_drop; the kill on CPU 0 runs inside it")

    static let pausedPutAtKill = BPFShape(
        programs: [allocProg(["values"]), drainer("drain")],
        maps: [allocMap, values(.fixed(1))],
        steps: [create("alloc_map"), create("values"), load("alloc_prog"), load("drain"), stash(.value(0), repeats: .once),
                .run(ShapeRun(program: "drain", cpu: 1, repeats: .once, actions: [
                    .xchgOut(map: "values", slot: .value(0), as: "obj"),
                    .meanwhile([unload, kill]),
                    .objDrop("obj", when: "begun before the unload: header and put mode read, paused, then the store"),
                ])),
                close("drain", .unload), close("values", .mapFree)],
        window: "one run of drain: its bpf_obj_drop, paused between the put's mode read and its store, spans the kill")
}
