import Results
@testable import Reports

/// A full run's shape, crafted (the real CSV is 3 MB): every model strategy and kernel subject,
/// pair/batch/kptr-xchg/remote at 1 and 2 threads, the kill, the frees after it, the interleaved
/// kernel pair, the host's calibration, the footprint's `own` rows and 96 safety verdicts —
/// medians copied from a real full run of this suite on the 2-CPU KVM guest (`bench --strategy
/// all`, 2026-12-05 01:56 UTC, commit ad0b5e6: the `description` below), each repeated with a
/// small fixed scatter. What matters here is its breadth (every table and claim a real run
/// makes) and the two contradictions of that run: the model's atomic adds ~72 ns at 2 threads
/// and loses throughput, the kernel's does neither.
enum FullRunFixture {
    static let models = ["atomic", "percpu-ref", "lazy", "kmem-cache", "global", "hybrid"]
    static let kernels = ["kernel", "kernel-htab", "kernel-harness", "kernel-atomic", "kernel-percpu-ref", "kernel-lazy", "kernel-hybrid"]
    static let scatter = [0.0, -1, 1, -0.5, 0.5]

    static func row(_ s: String, _ w: String, _ phase: Phase, _ op: Op, _ t: Int, _ rep: Int, _ metric: Metric, _ v: Double?) -> ResultRow {
        var r = makeRow(strategy: s, workload: w, phase: phase, op: op, threads: t, repetition: rep, metric: metric, value: v)
        r.cpuModel = "AMD EPYC [AuthenticAMD family 25 model 1 stepping 1 (Zen 3); microcode 0x1000065; guest of KVMKVMKVM; CPUs 0-1 share L3; no SMT]"
        return r
    }

    /// Five repetitions around `median` (±`spread` relative), ns and, for live ops, Mops/s.
    static func reps(_ s: String, _ w: String, _ phase: Phase, _ op: Op, _ t: Int, ns median: Double, spread: Double = 0.02) -> [ResultRow] {
        scatter.enumerated().flatMap { i, k -> [ResultRow] in
            let ns = median * (1 + k * spread)
            return [row(s, w, phase, op, t, i, .nsPerOp, ns), row(s, w, phase, op, t, i, .mops, Double(t) * 1000 / ns)]
        }
    }

    static func live() -> [ResultRow] {
        let pair1 = ["atomic": 4.7, "percpu-ref": 3.4, "lazy": 2.7, "kmem-cache": 2.6, "global": 2.6, "hybrid": 3.5]
        let pair2 = ["atomic": 74.5, "percpu-ref": 3.5, "lazy": 2.6, "kmem-cache": 2.6, "global": 2.6, "hybrid": 3.45]
        var out: [ResultRow] = []
        for s in models {
            out += reps(s, "pair", .live, .pair, 1, ns: pair1[s]!) + reps(s, "pair", .live, .pair, 2, ns: pair2[s]!)
            for t in [1, 2] {
                out += reps(s, "batch", .live, .alloc, t, ns: s == "atomic" && t == 2 ? 29 : 3.5)
                out += reps(s, "batch", .live, .free, t, ns: s == "percpu-ref" ? 4.5 : 3.9)
                out += reps(s, "kptr-xchg", .live, .pair, t, ns: 19)
            }
            out += reps(s, "remote", .live, .pair, 2, ns: 62)
        }
        let kernelPair = ["kernel": 440.0, "kernel-htab": 226, "kernel-harness": 20, "kernel-atomic": 424, "kernel-percpu-ref": 423,
                          "kernel-lazy": 426, "kernel-hybrid": 432]
        for s in kernels {
            out += reps(s, "pair", .live, .pair, 1, ns: kernelPair[s]!, spread: 0.05)
            out += reps(s, "pair", .live, .pair, 2, ns: kernelPair[s]! * 1.01, spread: 0.05)
            guard s != "kernel-harness" else { continue }
            for t in [1, 2] {
                out += reps(s, "batch", .live, .alloc, t, ns: 410, spread: 0.08) + reps(s, "batch", .live, .free, t, ns: 45, spread: 0.1)
                if s != "kernel-htab" { out += reps(s, "kptr-xchg", .live, .pair, t, ns: 520, spread: 0.1) }
            }
            out += reps(s, "remote", .live, .pair, 2, ns: 460, spread: 0.1)
        }
        return out
    }

    /// The interleaved kernel pair: ten rounds, a drift shared by every subject in a round.
    static func interleaved() -> [ResultRow] {
        let offset = ["kernel": 0.0, "kernel-atomic": 1.5, "kernel-percpu-ref": 1.5, "kernel-lazy": 0.5, "kernel-hybrid": 2.0]
        return offset.keys.sorted().flatMap { s in
            [1, 2].flatMap { t in
                (0..<10).map { round in
                    let noise = Double((round * 7 + s.count) % 5) - 2
                    return row(s, "pair", .interleaved, .pair, t, round, .nsPerOp, 420 + Double(t) * 10 + Double(round) * 3 + offset[s]! + noise)
                }
            }
        }
    }
}

extension FullRunFixture {
    /// The kill, the frees after it, the map's free and the teardown.
    static func afterKill() -> [ResultRow] {
        let free = ["atomic": 7.1, "percpu-ref": 8.4, "lazy": 5.0, "kmem-cache": 5.0, "global": 5.0, "hybrid": 5.5]
        var out: [ResultRow] = []
        for s in models {
            for t in [1, 2] {
                let f = free[s]! * (t == 2 && (s == "atomic" || s == "percpu-ref") ? 1.5 : 1)
                out += reps(s, "pair", .postKill, .free, t, ns: f) + reps(s, "pair", .drain, .drain, t, ns: f * 0.97)
                out += scatter.enumerated().flatMap { i, k in
                    [row(s, "pair", .postKill, .free, t, i, .overControl, f / 4 * (1 + k * 0.02)),
                     row(s, "pair", .drain, .drain, t, i, .overControl, f * 0.97 / 4 * (1 + k * 0.02))]
                }
            }
        }
        for s in kernels where s != "kernel-harness" {
            for t in [1, 2] { out += reps(s, "pair", .postKill, .free, t, ns: 70, spread: 0.1) + reps(s, "pair", .drain, .drain, t, ns: 75, spread: 0.1) }
        }
        let kill: [(String, Op, Double)] = [
            ("atomic", .kill, 0.24), ("percpu-ref", .kill, 0.871), ("percpu-ref", .grace, 2.675), ("percpu-ref", .fold, 0.26),
            ("lazy", .walk, 336.5), ("kmem-cache", .walk, 234.2), ("hybrid", .walk, 296.0), ("lazy", .kill, .nan),
            ("kernel-atomic", .kill, 0.019), ("kernel-percpu-ref", .kill, 0.131), ("kernel-percpu-ref", .grace, 14797),
            ("kernel-percpu-ref", .fold, 0.852), ("kernel-lazy", .kill, 0.07), ("kernel-lazy", .walk, 415.9),
            ("kernel-hybrid", .kill, 0.02), ("kernel-hybrid", .grace, 13033), ("kernel-hybrid", .fold, 0.411), ("kernel-hybrid", .walk, 429.2),
        ]
        for (s, op, v) in kill {
            for t in [1, 2] {
                for (i, k) in scatter.enumerated() {
                    out.append(row(s, "pair", .kill, op, t, i, .latencyUs, v.isNaN ? nil : v * (1 + k * 0.1)))
                    if op == .walk { out.append(row(s, "pair", .kill, op, t, i, .mapValues, 16384)) }
                }
            }
        }
        for s in models + kernels {
            for t in [1, 2] {
                for i in scatter.indices { out.append(row(s, "pair", .teardown, .teardown, t, i, .latencyUs, s.hasPrefix("kernel") ? 19000 : 600)) }
            }
        }
        return out
    }

    static func host() -> [ResultRow] {
        [row("host", "clock", .calibration, .tsc, 1, 0, .resolutionNs, 0.41),
         row("host", "line", .calibration, .rmw, 1, 0, .nsPerOp, 5.8), row("host", "line", .calibration, .rmw, 2, 0, .nsPerOp, 15.7),
         row("host", "kernel-rcu", .calibration, .grace, 1, 0, .latencyUs, 23980)]
            + (0..<20).map { row("atomic", "pair", .calibration, .pingpong, 1, $0, .roundTripNs, $0 % 7 == 0 ? 400 : 77) }
    }

    /// The footprint's rows of this machine and the injected topologies.
    static func own() -> [ResultRow] {
        var out: [ResultRow] = []
        func add(_ s: String, _ w: String, _ op: Op, _ metric: Metric, _ v: Double) {
            var r = row(s, w, .own, op, 1, 0, metric, v)
            r.phase = Phase.own
            out.append(r)
        }
        for (w, n) in [("2cpu-1node", 2.0), ("64cpu-4node", 64.0), ("256cpu-8node", 256.0)] {
            for d in ["atomic", "percpu-ref", "lazy", "hybrid"] {
                add(d, w, .create, .latencyUs, 68 * n)
                add(d, w, .create, .bytesKernel, 13_000 * n)
                add(d, w, .create, .bytesModel, 720_000 * n)
                add(d, w, .pinned, .bytesKernel, 13_300 * n)
                add(d, w, .pinned, .bytesModel, 720_000 * n)
                add(d, w, .destroy, .latencyUs, 5 * n)
            }
            add("global", w, .create, .bytesKernel, 0)
            add("global", w, .pinned, .bytesKernel, 0)
            add("global", w, .create, .latencyUs, 0)
            add("percpu-ref", w, .refCreate, .bytesKernel, 8 * n + 56)
        }
        add("kernel-htab", "2cpu-1node", .mapCreate(entries: 1), .latencyUs, 8.165)
        add("kernel-htab-prealloc", "2cpu-1node", .mapCreate(entries: 1), .latencyUs, 6.242)
        add("kernel-array", "2cpu-1node", .mapCreate(entries: 1), .latencyUs, 3.327)
        add("kernel-htab", "2cpu-1node", .createInsideFillOutside, .bytesMemcg, 4_456_448)
        add("kernel-htab", "2cpu-1node", .createInsideFillOutside, .bytesObjects, 4_194_304)
        add("kernel", "2cpu-1node", .objNewInside, .bytesMemcg, 0)
        add("kernel", "2cpu-1node", .objNewInside, .bytesObjects, 3_145_728)
        return out
    }

    static var rows: [ResultRow] { host() + live() + interleaved() + afterKill() + native() + own() }

    /// The kernel's own refcounts (phase native), 16 blocks, copied from a real run of this suite on
    /// the 2-CPU KVM guest (2026-12-05 07:23): percpu_ref get+put live +42 / killed +45 (1 CPU),
    /// +42 / +62 (2 CPUs).
    static func native() -> [ResultRow] {
        (0..<16).flatMap { b -> [ResultRow] in
            let w = Double(b % 4) * 0.5
            var out: [ResultRow] = []
            for (op, t, added, ns) in [(Op.getPutLive, 1, 42.0, 56.0), (.getPutKilled, 1, 45.0, 58.8), (.getPutLive, 2, 42.0, 54.8),
                                       (.getPutKilled, 2, 62.0, 76.5)] {
                out.append(row("kernel-native-percpu-ref", "pair", .native, op, t, b, .addedNs, added + w))
                out.append(row("kernel-native-percpu-ref", "pair", .native, op, t, b, .nsPerOp, ns + w))
            }
            for (t, added) in [(1, 24.0), (2, 74.0)] { out.append(row("kernel-refcount", "pair", .native, .sharedGetPut, t, b, .addedNs, added + w)) }
            out.append(row("kernel-refcount", "pair", .native, .pair, 1, b, .addedNs, 58 + w))
            out.append(row("kernel-native-percpu-ref", "pair", .native, .kill, 1, b, .latencyUs, 47 + w))
            out.append(row("kernel-native-percpu-ref", "pair", .native, .atomicSwitch, 1, b, .latencyUs, 16_000 + w))
            return out
        }
    }

    /// 8 scenarios × 6 strategies × 2 reuse rules, the run's verdicts (lazy and kmem-cache
    /// use-after-free in six scenarios, hybrid in two under immediate reuse).
    static var safety: [SafetyVerdict] {
        let scenarios = ["map-in-map-escape", "concurrent-walk", "pinned-map", "in-flight-at-kill", "remote-last-free",
                         "moved-behind-walk", "last-put-in-nmi", "paused-put-at-kill"]
        func uaf(_ s: String, _ n: Int, _ rule: String) -> Bool {
            switch s {
            case "lazy", "kmem-cache": rule == "immediate" ? [1, 2, 4, 6, 7, 8].contains(n) : [1, 4, 6, 7].contains(n)
            case "hybrid": rule == "immediate" && [2, 6].contains(n)
            default: false
            }
        }
        return ["immediate", "rcu"].flatMap { rule in
            scenarios.enumerated().flatMap { i, sc in
                models.map { s in
                    let bad = uaf(s, i + 1, rule)
                    return SafetyVerdict(scenario: sc, title: sc, strategy: s, rule: rule, kind: bad ? .useAfterFree : .safe,
                                         label: bad ? "use-after-free" : "safe", expected: bad ? .useAfterFree : .safe, evidence: "",
                                         iterations: 500, faultyIterations: bad ? 480 : 0, threads: 2, cpus: "0-1", size: 64)
                }
            }
        }
    }

    static let description = RunDescription(
        runID: "20261205-015604-ad0b5e6-5414-9113", command: "bench --strategy all --output /tmp/before", host: "vm",
        cpuModel: "AMD EPYC [AuthenticAMD family 25 model 1 stepping 1 (Zen 3); microcode 0x1000065; guest of KVMKVMKVM; CPUs 0-1 share L3; no SMT]",
        cpus: "0-1", nodes: 1, kernel: "6.18.44-fc-v1272", swift: "6.3", build: "release", commit: "ad0b5e61aab6",
        timestamp: "2026-12-05T01:56:04Z",
        settings: "duration 40 ms, warm-up 10 ms, 5 repetitions, 16384 map values, TSC 2.445 GHz, timer overhead 49 ticks (20 ns), clock resolution 0 ns",
        notes: ["memcg charges read from fresh child cgroup v1 memory cgroups under "
            + "/sys/fs/cgroup/memory/process_api/087779b6f223937544af21f46004e9f1/memalloc-bench-5414"])

    static let files = ["Results/20261205-015604-ad0b5e6-5414-9113.csv", "Results/20261205-015604-ad0b5e6-5414-9113.md",
                        "Results/20261205-015604-ad0b5e6-5414-9113.txt", "Results/20261205-015604-ad0b5e6-5414-9113.json"]
}
