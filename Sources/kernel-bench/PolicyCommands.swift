import Foundation
import KernelAllocator
import Results
import Statistics

/// `kernel-bench strategies|kill|walk`: the lifetime policies run inside BPF programs around
/// bpf_global_ma, on their own (the runner's `--strategy kernel-*` runs the same cases).
enum PolicyCommands {
    static let subjects: [KernelSubjectKind] = [.kernel, .kernelAtomic, .kernelPercpuRef, .kernelLazy, .kernelHybrid]

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    static func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
    static func f(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }

    /// Per workload × threads: every subject's ns/op (median of the repetitions, subjects
    /// interleaved within each repetition in a rotating order), the added ns over `kernel` with
    /// its 95 % bootstrap interval (rounds paired), and that as % of the kernel's figure. Every
    /// policy repetition ends with its lifecycle (stash, kill, frees) and its count checked.
    static func strategies(build: BPFBuild, size: Int, durationMs: Int, warmupMs: Int, repetitions: Int, k: Int, mapValues: Int) throws {
        let duration = durationMs * 1_000_000
        let warmup = warmupMs * 1_000_000
        print("\(repetitions) repetitions of \(duration / 1_000_000) ms (warm-up \(warmup / 1_000_000) ms), \(k) ops per BPF_PROG_TEST_RUN, \(mapValues) map values stashed before each kill")
        print("ns/op: median over repetitions (± stddev); added: median(subject) − median(kernel), 95 % bootstrap interval, rounds paired")
        print("")
        print("workload   thr  op     subject             ns/op           added ns [95 % CI]       % of kernel")
        var lifecycle: [String: [KernelLifecycleResult]] = [:]
        for workload in WorkloadKind.kernelCases {
            for threads in [1, 2] {
                if KernelSubjectKind.kernel.unsupported(workload, threads: threads) != nil { continue }
                var cases: [KernelSubjectKind: KernelCase] = [:]
                defer { for c in cases.values { c.close() } }
                for s in subjects {
                    let spec = KernelCaseSpec(subject: s, workload: workload, cpus: Array(0..<threads), size: size, opsPerRun: k,
                                              mapValues: s.policy == nil ? 0 : mapValues)
                    cases[s] = try KernelCase(spec: spec, build: build)
                }
                var samples: [KernelSubjectKind: [Op: [Double]]] = [:]
                for rep in 0..<repetitions {
                    let order = (0..<subjects.count).map { subjects[($0 + rep) % subjects.count] }
                    for s in order {
                        let c = cases[s]!
                        let t = try c.measure(durationNs: duration, warmupNs: warmup)
                        for op in workload.kernelOps { if let v = t.nsPerOp(op) { samples[s, default: [:]][op, default: []].append(v) } }
                        try c.drain()
                        if s.policy != nil {
                            lifecycle["\(s.rawValue) \(threads)", default: []].append(try c.lifecycle())
                        }
                    }
                }
                for op in workload.kernelOps {
                    let base = samples[.kernel]?[op] ?? []
                    let baseMedian = SampleStatistics(base)?.median ?? .nan
                    for s in subjects {
                        let v = samples[s]?[op] ?? []
                        guard let st = SampleStatistics(v) else { continue }
                        var added = "", share = ""
                        if s != .kernel, let a = AddedNanoseconds.differenceOfMedians(v, base, paired: true) {
                            added = "\(f(a.added)) [\(f(a.low)), \(f(a.high))]"
                            share = "\(f(100 * a.added / baseMedian, 2)) %"
                        }
                        print("\(pad(workload.rawValue, 10)) \(threads)    \(pad(op.rawValue, 6)) \(pad(s.rawValue, 19)) \(lpad(f(st.median), 7)) ± \(pad(f(st.stddev), 6)) \(pad(added, 24)) \(share)")
                    }
                }
            }
        }
        print("")
        printLifecycle(lifecycle)
    }

    /// kill / grace / fold / walk and the frees after the kill, medians over the repetitions.
    static func printLifecycle(_ lifecycle: [String: [KernelLifecycleResult]]) {
        print("after the live phase (medians over every repetition of every workload):")
        print("subject            thr  kill ns  grace us  fold ns  walk ns/value  post-kill free ns/op  map-free ns/op  kill at")
        for key in lifecycle.keys.sorted() {
            let rs = lifecycle[key]!
            func med(_ xs: [Double]) -> String { SampleStatistics(xs).map { f($0.median) } ?? "-" }
            let parts = key.split(separator: " ")
            let kill = med(rs.compactMap { $0.killNs })
            let grace = med(rs.compactMap { $0.graceNs.map { Double($0) / 1000 } })
            let fold = med(rs.compactMap { $0.foldNs })
            let walk = med(rs.compactMap { r in r.walkNs.map { $0 / Double(max(r.walkValues, 1)) } })
            let post = med(rs.compactMap { $0.postKill.nsPerOp(.free) })
            let drain = med(rs.compactMap { $0.drain.nsPerOp(.free) })
            print("\(pad(String(parts[0]), 18)) \(parts[1])    \(lpad(kill, 7))  \(lpad(grace, 8))  \(lpad(fold, 7))  \(lpad(walk, 13))  \(lpad(post, 20))  \(lpad(drain, 14))  \(rs.first?.killAt.rawValue ?? "")")
        }
    }

    /// The lifecycle alone, at 1 and 2 threads, after a short live phase of `batch`.
    static func kill(build: BPFBuild, size: Int, repetitions: Int, mapValues: Int) throws {
        print("\(repetitions) lifecycles per policy and thread count, \(mapValues) objects stashed before each kill (batch live phase, 20 ms)")
        var lifecycle: [String: [KernelLifecycleResult]] = [:]
        for threads in [1, 2] {
            for s in subjects where s.policy != nil {
                let c = try KernelCase(spec: KernelCaseSpec(subject: s, workload: .batch, cpus: Array(0..<threads), size: size, mapValues: mapValues),
                                       build: build)
                defer { c.close() }
                for _ in 0..<repetitions {
                    _ = try c.measure(durationNs: 20_000_000, warmupNs: 0)
                    lifecycle["\(s.rawValue) \(threads)", default: []].append(try c.lifecycle())
                }
            }
        }
        printLifecycle(lifecycle)
        print("")
        print("grace periods alone (membarrier(MEMBARRIER_CMD_GLOBAL) = synchronize_rcu(), idle workers), us:")
        var g: [Double] = []
        for _ in 0..<repetitions { g.append(Double(try KernelCase.kernelGracePeriod()) / 1000) }
        if let st = SampleStatistics(g) { print("median \(f(st.median)) min \(f(st.min)) max \(f(st.max))") }
    }

    /// The unload walk over map sizes, array and hash, cold (caches flushed) and warm.
    static func walk(build: BPFBuild, size: Int, sizes: [Int], repetitions: Int, owners: Int) throws {
        print("unload walk: bpf_for_each_map_elem from a tc program, each local kptr loaded in place, owner id read, used set updated")
        print("\(owners) owners in stretches of 1000 objects; cold = after touching 128 MiB (4 × the 32 MiB L3); median of \(repetitions) (min-max)")
        print("map    values     cold ns/value           warm ns/value           cold total ms")
        for kind in KernelWalk.MapKind.allCases {
            for n in sizes {
                let w = try KernelWalk(kind: kind, values: n, size: size, cpu: 0, build: build)
                try w.fill { UInt32(($0 / 1000) % owners + 1) }
                var cold: [Double] = [], warm: [Double] = [], total: [Double] = []
                for _ in 0..<repetitions {
                    let t = try w.measure(expectedObjects: n)
                    guard t.owners.count == min(owners, (n + 999) / 1000) else { throw KernelCaseFailure("walk found owners \(t.owners)") }
                    cold.append(t.coldNsPerValue); warm.append(t.warmNsPerValue); total.append(Double(t.coldNs) / 1e6)
                }
                try w.close()
                let c = SampleStatistics(cold)!, wm = SampleStatistics(warm)!
                print("\(pad(kind.rawValue, 6)) \(lpad("\(n)", 8))   \(pad("\(f(c.median, 2)) (\(f(c.min, 2))-\(f(c.max, 2)))", 22))  \(pad("\(f(wm.median, 2)) (\(f(wm.min, 2))-\(f(wm.max, 2)))", 22))  \(f(SampleStatistics(total)!.median, 2))")
            }
        }
    }

    /// The policies' added ns with the allocator's drift cancelled: subjects time-sliced in
    /// rotating order (KernelInterleaved), at 1 and 2 threads; then the accounting alone.
    static func interleaved(build: BPFBuild, size: Int, rounds: Int, sliceMs: Int, k: Int) throws {
        let slice = sliceMs * 1_000_000
        print("interleaved: \(rounds) rounds (+1 warm-up) of one \(slice / 1_000_000) ms slice per subject, order rotated per round, workers switch on one clock")
        print("added: median over rounds of (subject − baseline) in the same round, 95 % bootstrap interval over rounds")
        for (mode, list) in [(InterleavedStep.pair, subjects),
                             (.accounting, [KernelSubjectKind.kernelLazy, .kernelAtomic, .kernelPercpuRef])] {
            print("")
            print(mode == .pair ? "pair: bpf_obj_new + get + bpf_obj_drop + put (baseline: kernel)"
                                : "accounting alone: get + put per step, no allocator (baseline: kernel-lazy's empty accounting)")
            print("thr  subject             ns/op (median)   added ns [95 % CI]        % of baseline")
            for threads in [1, 2] {
                let run = try KernelInterleaved(subjects: list, steps: [mode], cpus: Array(0..<threads), size: size, opsPerRun: k, build: build)
                defer { run.close() }
                let all = try run.run(mode, rounds: rounds, sliceNs: slice)
                try run.finish()
                let table = all.completed.values[0]
                if table.count < all.roundCount { print("(\(all.roundCount - table.count) rounds dropped: a slice with no completed run)") }
                guard !table.isEmpty else { continue }
                let base = table.map { $0[0] }
                let baseMedian = SampleStatistics(base)!.median
                for (i, s) in list.enumerated() {
                    let v = table.map { $0[i] }
                    var added = "", share = ""
                    if i > 0 {
                        let d = zip(v, base).map { $0 - $1 }
                        if let a = AddedNanoseconds.differenceOfMedians(d, [Double](repeating: 0, count: d.count), paired: true) {
                            added = "\(f(a.added, 2)) [\(f(a.low, 2)), \(f(a.high, 2))]"
                            share = "\(f(100 * a.added / baseMedian, 2)) %"
                        }
                    }
                    print("\(threads)    \(pad(s.rawValue, 19)) \(lpad(f(SampleStatistics(v)!.median, 2), 10))       \(pad(added, 25)) \(share)")
                }
            }
        }
    }
}
