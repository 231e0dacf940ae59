import Results

/// One safety scenario's sequence as the real kernel ran it (strategy `kernel`, phase
/// `scenario`, op `immediate`: bpf_obj_drop of an object without a bpf_refcount puts it back on
/// the per-CPU free list at once), or a shape the verifier refused. Rows: `kernel_legal` (its
/// unit the evidence), the objects' three counts, the maps left, the kernel log's new reports
/// and the racing run's window.
public struct KernelSafetyCheck: Sendable, Equatable {
    /// The scenario's name, or the refused shape's (`exit-holding-a-reference`).
    public var scenario: String
    public var legal: Bool
    /// Legal: the modelled step and the racing window in words; refused: the verifier's reason.
    public var evidence: String
    public var allocated: Int?
    public var dropped: Int?
    public var left: Int?
    public var mapsLeft: Int?
    /// nil: the kernel log could not be read.
    public var kernelReports: Int?
    public var windowUs: Double?
    public var threads: Int
    public var cpus: String

    /// The refused shape's row name.
    public static let refusedShape = "exit-holding-a-reference"
    static let strategy = "kernel"
    static let op = Op.reuseRule("immediate")

    public init(scenario: String, legal: Bool, evidence: String, allocated: Int? = nil, dropped: Int? = nil, left: Int? = nil,
                mapsLeft: Int? = nil, kernelReports: Int? = nil, windowUs: Double? = nil, threads: Int, cpus: String) {
        self.scenario = scenario
        self.legal = legal
        self.evidence = evidence
        self.allocated = allocated
        self.dropped = dropped
        self.left = left
        self.mapsLeft = mapsLeft
        self.kernelReports = kernelReports
        self.windowUs = windowUs
        self.threads = threads
        self.cpus = cpus
    }

    /// Every object went somewhere: dropped by a program, or left in a map whose free drops it.
    public var accounted: Bool {
        guard let allocated, let dropped, let left else { return false }
        return allocated == dropped + left
    }

    /// Legal, accounted, every map freed and the kernel log silent.
    public var clean: Bool { legal && accounted && mapsLeft == 0 && (kernelReports ?? 0) == 0 }

    public func rows(context: ResultRow) -> [ResultRow] {
        func row(_ metric: Metric, _ value: Double?, _ unit: String) -> ResultRow? {
            guard let value else { return nil }
            var r = context
            r.strategy = Self.strategy
            r.workload = scenario
            r.phase = .scenario
            r.op = Self.op
            r.threads = threads
            r.cpus = cpus
            r.size = 64
            r.repetition = 0
            r.metric = metric
            r.value = value
            r.unit = unit
            return r
        }
        return [row(.kernelLegal, legal ? 1 : 0, evidence),
                row(.objectsAllocated, allocated.map(Double.init), "objects"), row(.objectsDropped, dropped.map(Double.init), "objects"),
                row(.objectsLeft, left.map(Double.init), "objects"), row(.mapsLeft, mapsLeft.map(Double.init), "maps"),
                row(.kernelReports, kernelReports.map(Double.init), "lines"), row(.windowUs, windowUs, "µs")].compactMap { $0 }
    }

    /// The checks among `rows`, in the order their `kernel_legal` rows come.
    public static func all(in rows: [ResultRow]) -> [KernelSafetyCheck] {
        let mine = rows.filter { $0.strategy == strategy && $0.phase == .scenario }
        return mine.filter { $0.metric == .kernelLegal }.compactMap { head in
            guard let legal = head.value else { return nil }
            func value(_ m: Metric) -> Double? { mine.first { $0.workload == head.workload && $0.metric == m }?.value }
            return KernelSafetyCheck(scenario: head.workload, legal: legal == 1, evidence: head.unit,
                                     allocated: value(.objectsAllocated).map { Int($0) }, dropped: value(.objectsDropped).map { Int($0) },
                                     left: value(.objectsLeft).map { Int($0) }, mapsLeft: value(.mapsLeft).map { Int($0) },
                                     kernelReports: value(.kernelReports).map { Int($0) }, windowUs: value(.windowUs),
                                     threads: head.threads, cpus: head.cpus)
        }
    }
}
