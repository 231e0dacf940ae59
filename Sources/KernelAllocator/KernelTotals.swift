import Results
/// What one measured phase of a kernel case did, summed over workers: operations and the busy
/// nanoseconds spent on them (ns_per_op = ns / ops is one worker's time per operation, as in
/// the model's PhaseCounters).
public struct KernelTotals: Sendable, Equatable {
    public var allocOps = 0
    public var allocNs = 0
    public var freeOps = 0
    public var freeNs = 0
    public var pairOps = 0
    public var pairNs = 0
    /// BPF_PROG_TEST_RUN calls made (one timed batch each).
    public var runs = 0

    public init() {}

    public mutating func add(_ o: KernelTotals) {
        allocOps += o.allocOps; allocNs += o.allocNs
        freeOps += o.freeOps; freeNs += o.freeNs
        pairOps += o.pairOps; pairNs += o.pairNs
        runs += o.runs
    }

    /// ns per operation of `op` ("alloc", "free", "pair"), nil when none ran.
    public func nsPerOp(_ op: Op) -> Double? {
        let (ops, ns): (Int, Int)
        switch op {
        case .alloc: (ops, ns) = (allocOps, allocNs)
        case .free: (ops, ns) = (freeOps, freeNs)
        default: (ops, ns) = (pairOps, pairNs)
        }
        return ops > 0 ? Double(ns) / Double(ops) : nil
    }
}

/// A kernel case that ran but must not produce a row: a failed allocation, a provenance
/// mismatch, a failed BPF_PROG_TEST_RUN. The message names what happened.
public struct KernelCaseFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
