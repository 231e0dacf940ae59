import Results
import Statistics

/// One cell of the kernel table: what a policy's accounting adds to the same object's control
/// (`kernel-lazy`: the policies' programs with no per-op accounting) for one workload op,
/// thread count and size: the median of the units' differences with its sign-test 95 %
/// interval (units: blocks of the `interleaved` phase, each a fresh load; else whole
/// repetitions, paired by round).
public struct KernelTableCell: Sendable {
    /// A kernel policy subject, or `null` for hybrid − percpu-ref (identical per-op programs).
    public let subject: String
    public let workload: String
    public let op: Op
    public let threads: Int
    public let size: Int
    /// `kernel`'s ns/op for this workload op (the landed design: the % denominator); nil for
    /// the accounting alone, which has no allocator.
    public let kernelNs: Double?
    /// The control's ns/op (the accounting's resolution threshold when there is no kernel cost).
    public let controlNs: Double
    public let added: MedianInterval.Result
    public let units: Int
    /// From the interleaved blocks (else whole repetitions).
    public let interleaved: Bool
    /// The model's added ns over `global` for the same strategy, workload op and threads.
    public let modelAdded: Double?

    public static let null = "null"

    public var isNull: Bool { subject == Self.null }

    /// A cell is resolved when it has a finite interval no wider than ±max(5 ns, 2 % of the
    /// workload's kernel cost): the kernel's own noise floor here, not a policy's effect.
    public var threshold: Double { max(5, 0.02 * (kernelNs ?? controlNs)) }

    public var interval: AddedNanoseconds? {
        if case .interval(let a) = added { return a }
        return nil
    }

    public var halfWidth: Double? { interval.map { ($0.high - $0.low) / 2 } }

    public var resolved: Bool { (halfWidth ?? .infinity) <= threshold }

    /// The estimate as a share of the same workload's kernel cost (never another workload's).
    public var shareOfKernel: Double? { kernelNs.map { 100 * added.estimate / $0 } }
}

extension KernelTableCell {
    /// Kernel policy subject → the model strategy it runs.
    public static var policies: [(kernel: String, model: String)] { KernelSubjects.policies }
    public static let control = KernelSubjects.control
    /// The null: two subjects whose per-op programs are the same code (both `pcpu_*`).
    static let nullPair = (subject: "kernel-hybrid", baseline: "kernel-percpu-ref")
    /// The workload ops of the table, in its order (`acct`: the accounting alone; `kill-free`
    /// and `map-free`: the frees after the kill, concurrent and the map's own).
    static let workloadOps: [(workload: String, op: Op)] = [
        ("pair", .pair), ("pair", .acct), ("batch", .alloc), ("batch", .free), ("kptr-xchg", .pair), ("remote", .pair),
        ("batch", .killFree), ("batch", .mapFree),
    ]

    /// Whether hybrid − percpu-ref is a null for this op: the same per-op code in the same
    /// state while live; after the kill it is not, since hybrid's kill waits for the map's free
    /// and its frees there are still per-CPU puts while percpu-ref's are atomic ones.
    static func hasNull(_ op: Op) -> Bool { !afterKillOps.contains(op) }
    static let afterKillOps: [Op] = [.killFree, .mapFree]

    /// `kernel`'s own cost of the same operation: a free after the kill is the batch's free
    /// (a value exchanged out of the map and dropped) without accounting; the accounting alone
    /// has no allocator, so none.
    static func kernelKey(_ key: KernelSamples.Key) -> KernelSamples.Key? {
        switch key.op {
        case .acct: nil
        case .killFree, .mapFree: KernelSamples.Key(workload: "batch", op: .free, threads: key.threads, size: key.size)
        default: key
        }
    }

    /// Every cell the rows allow: the interleaved phase's blocks where the control has them for
    /// that workload op, else the live phase's repetitions.
    public static func cells(_ rows: [ResultRow], interleavedPhase: Phase) -> [KernelTableCell] {
        let samples = KernelSamples(rows, interleavedPhase: interleavedPhase)
        var cells: [KernelTableCell] = []
        for size in Set(rows.map(\.size)).sorted() {
            for (w, op) in workloadOps {
                for t in Set(rows.map(\.threads)).sorted() {
                    let key = KernelSamples.Key(workload: w, op: op, threads: t, size: size)
                    let interleaved = !samples.values(interleavedPhase, control, key).isEmpty
                    let phase = interleaved ? interleavedPhase : Phase.live
                    let control = samples.values(phase, control, key)
                    guard let controlNs = KernelSamples.median(control) else { continue }
                    let kernelNs = kernelKey(key).flatMap { KernelSamples.median(samples.values(phase, "kernel", $0)) }
                    let pairs = policies.map { ($0.kernel, $0.kernel, Self.control, Optional($0.model)) }
                        + (hasNull(op) ? [(Self.null, nullPair.subject, nullPair.baseline, nil)] : [])
                    for (name, subject, baseline, model) in pairs {
                        let paired = samples.paired(phase, name == Self.null ? Metric.nullNs : Metric.addedNs,
                                                    subject, key)
                        let s = samples.values(phase, subject, key), b = samples.values(phase, baseline, key)
                        let differences = paired.isEmpty ? Set(s.keys).intersection(b.keys).sorted().map { s[$0]! - b[$0]! }
                                                         : paired.keys.sorted().map { paired[$0]! }
                        guard let added = MedianInterval.interval(differences) else { continue }
                        let units = differences.count
                        let modelAdded = model.flatMap { m in
                            KernelSamples.median(samples.values(.live, m, key)).flatMap { v in KernelSamples.median(samples.values(.live, "global", key)).map { v - $0 } }
                        }
                        cells.append(KernelTableCell(subject: name, workload: w, op: op, threads: t, size: size, kernelNs: kernelNs, controlNs: controlNs,
                                                     added: added, units: units, interleaved: interleaved, modelAdded: modelAdded))
                    }
                }
            }
        }
        return cells
    }
}

/// ns_per_op by phase, subject and case, keyed by repetition (the interleaved phase's block).
struct KernelSamples {
    struct Key: Hashable { let workload: String, op: Op, threads: Int, size: Int }
    private struct Full: Hashable { let phase: Phase, subject: String, key: Key }
    private var table: [Full: [Int: Double]] = [:]

    /// The interleaved blocks' paired differences (`added_ns`, `null_ns`), by metric.
    private var differences: [Metric: [Full: [Int: Double]]] = [:]

    init(_ rows: [ResultRow], interleavedPhase: Phase) {
        let pairedMetrics = [Metric.addedNs, Metric.nullNs]
        for r in rows where r.phase == .live || r.phase == interleavedPhase {
            guard let v = r.value else { continue }
            let full = Full(phase: r.phase, subject: r.strategy, key: Key(workload: r.workload, op: r.op, threads: r.threads, size: r.size))
            if r.metric == .nsPerOp { table[full, default: [:]][r.repetition] = v }
            if pairedMetrics.contains(r.metric) { differences[r.metric, default: [:]][full, default: [:]][r.repetition] = v }
        }
    }

    func values(_ phase: Phase, _ subject: String, _ key: Key) -> [Int: Double] {
        table[Full(phase: phase, subject: subject, key: key)] ?? [:]
    }

    /// `subject`'s paired differences per block (empty for rows that have none: whole
    /// repetitions, or a run saved before they existed).
    func paired(_ phase: Phase, _ metric: Metric, _ subject: String, _ key: Key) -> [Int: Double] {
        differences[metric]?[Full(phase: phase, subject: subject, key: key)] ?? [:]
    }

    static func median(_ d: [Int: Double]) -> Double? { d.isEmpty ? nil : Effect.median(Array(d.values)) }
}
