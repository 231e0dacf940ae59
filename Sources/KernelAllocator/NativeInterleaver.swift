import Platform

/// One program of an interleaved comparison and what its counters must move per op.
struct NativeSubject: Sendable {
    let program: TestRunProgram
    /// bpf_loop steps per BPF_PROG_TEST_RUN.
    let opsPerRun: Int
    /// The provenance counters' movement per op (e.g. a get+put: one allocated, one freed).
    let perOp: ProvenanceCounters
    /// The object whose counters the program moves, when not the run's own (the emulation's
    /// strategies object interleaved with native_refs in the same rounds).
    var object: BPFObject? = nil
}

/// KernelInterleaved's method for programs of one object: every subject runs in short slices
/// (`sliceNs`), in an order shuffled each round, and the pinned workers switch subject on the
/// same clock, so each round holds every subject under the same conditions. Round 0 is
/// warm-up and dropped.
enum NativeInterleaver {
    /// ns/op per round and subject (`[round][subject]`): one worker's time per op, summed over
    /// workers. Throws when a program fails (a failed acquire) or the counters on any CPU did
    /// not move exactly as the ops timed say.
    static func run(_ subjects: [NativeSubject], object: BPFObject, cpus: [Int], rounds: Int,
                    sliceNs: Int) throws(KernelCaseFailure) -> [[Double]] {
        let n = subjects.count, slices = (rounds + 1) * n
        let acc = SliceAccumulators(cells: cpus.count * slices)
        defer { acc.deallocate() }
        let order = (0...rounds).map { _ in Array(0..<n).shuffled() }
        // Every object the subjects count in, each checked on its own (native_refs, strategies).
        var objects: [BPFObject] = [object]
        for s in subjects { if let o = s.object, !objects.contains(where: { $0 === o }) { objects.append(o) } }
        let before = objects.map { o in cpus.map { ProvenanceCounters.read(o, cpu: $0) } }
        let start = monotonicNanoseconds() + 20_000_000
        let perWorker = WorkerResults(count: cpus.count)
        do {
            try PinnedThread.run(on: cpus) { index, _ in
                do throws(KernelCaseFailure) {
                    for slice in 0..<slices {
                        let round = slice / n, s = order[round][slice % n]
                        try runSlice(subjects[s], from: start + slice * sliceNs, to: start + (slice + 1) * sliceNs,
                                     into: acc, at: index * slices + round * n + s)
                    }
                    perWorker.set(index, .success(KernelTotals()))
                } catch { perWorker.set(index, .failure(error)) }
            }
        } catch { throw KernelCaseFailure("pinning failed: \(error)") }
        for r in perWorker.all { if case .failure(let e)? = r { throw e } }
        for (i, o) in objects.enumerated() {
            for (w, cpu) in cpus.enumerated() {
                let moved = ProvenanceCounters.read(o, cpu: cpu) - before[i][w]
                var expected = ProvenanceCounters()
                for (s, subject) in subjects.enumerated() where (subject.object ?? object) === o {
                    let ops = UInt64((0...rounds).reduce(0) { $0 + acc.ops[w * slices + $1 * n + s] })
                    expected = expected + subject.perOp.scaled(by: ops)
                }
                guard moved == expected else {
                    throw KernelCaseFailure("on CPU \(cpu) the programs of \(o.name) counted \(moved), the loader timed \(expected)")
                }
            }
        }
        return (1...rounds).map { round in
            (0..<n).map { s -> Double in
                let cells = (0..<cpus.count).map { $0 * slices + round * n + s }
                let t = cells.reduce(0) { $0 + acc.ns[$1] }, o = cells.reduce(0) { $0 + acc.ops[$1] }
                return o == 0 ? .nan : Double(t) / Double(o)
            }
        }
    }

    /// One slice of one subject on one worker: runs until the slice's end, timing each run.
    private static func runSlice(_ subject: NativeSubject, from sliceStart: Int, to sliceEnd: Int,
                                 into acc: SliceAccumulators, at cell: Int) throws(KernelCaseFailure) {
        let ops = subject.opsPerRun, p = subject.program
        while monotonicNanoseconds() < sliceStart {}
        var t = monotonicNanoseconds()
        while t < sliceEnd {
            guard try p.run(iterations: ops) == 0 else {
                throw KernelCaseFailure("\(p.name): an acquire or allocation failed")
            }
            let t1 = monotonicNanoseconds()
            acc.ns[cell] += t1 - t; acc.ops[cell] += ops
            t = t1
        }
    }
}

extension ProvenanceCounters {
    func scaled(by n: UInt64) -> ProvenanceCounters {
        ProvenanceCounters(allocated: allocated * n, failed: failed * n, freed: freed * n, empty: empty * n)
    }
}
