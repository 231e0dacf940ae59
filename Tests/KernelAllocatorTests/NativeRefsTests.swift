import Foundation
import Glibc
import Testing
@testable import KernelAllocator

/// The kernel's own refcounts (issue 26): the subjects load and count, the kill is seen in the
/// ref's state, the release runs once even with puts racing the switch, an extra put is caught,
/// nothing stays mounted, and the n/a paths stay n/a.
@Suite(.enabled(if: !KernelTestSupport.skip), .serialized)
struct NativeRefsTests {
    let build = KernelTestSupport.build
    var cpus: [Int] { KernelTestSupport.twoCPUs ? [0, 1] : [0] }

    /// Our cgroup2 mounts still in this process's mount table.
    static func ourMounts() -> [String] {
        let table = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return PrivateCgroup2.mountPoints(in: table).filter { PrivateCgroup2.ownerPID(ofMountPoint: $0) == getpid() }
    }

    @Test func nativeSubjectsLoadRunAndCount() throws {
        // 5 ms slices: under a parallel test run (other suites' pinned workers on the same two
        // CPUs) a worker can lose a whole 1 ms slice, and a round with a starved slice is dropped.
        let r = try NativeRefs.measure(cpus: cpus, blocks: 1, rounds: 6, sliceNs: 5_000_000, build: build)
        #expect(r.percpuRef.count == 2 * cpus.count)
        for m in r.percpuRef + r.sharedRefcount.map({ PercpuRefMeasurement(phase: .live, cpus: $0.cpus, cost: $0.cost) }) {
            #expect(m.cost.subjectNs.count == 1 && m.cost.subjectNs[0].isFinite && m.cost.controlNs[0].isFinite, "\(m)")
        }
        #expect(r.refcountPair.subjectNs.count == 1)
        // The get+put timed op by op, live and killed, at each CPU count: the histograms
        // counted exactly the ops timed (timedPass throws otherwise).
        #expect(r.latency.count == 2 * cpus.count)
        for l in r.latency {
            let timed = UInt64(NativeRefs.latencyRuns * NativeRefs.refOpsPerRun * l.cpus)
            #expect(l.getPut.total == timed && l.empty.total == timed, "\(l.phase) \(l.cpus)")
            #expect((l.getPut.percentile(50) ?? 0) >= (l.empty.percentile(50) ?? 0))
            #expect(l.getPutBlocks == [l.getPut], "one block: its own histogram is the merged one")
        }
        // The emulations' get+put timed the same way beside native's, live and after their own
        // kill, with their object's control: every histogram counted exactly the ops timed.
        #expect(r.emulatedLatency.count == 2 * cpus.count)
        for l in r.emulatedLatency {
            let timed = UInt64(NativeRefs.latencyRuns * NativeRefs.refOpsPerRun * l.cpus)
            #expect([l.percpuRef, l.atomic, l.control].allSatisfy { $0.total == timed }, "\(l.phase) \(l.cpus)")
            #expect((l.atomic.percentile(50) ?? 0) >= (l.control.percentile(50) ?? .infinity), "an RMW is not free")
            #expect(l.percpuRefBlocks == [l.percpuRef] && l.atomicBlocks == [l.atomic])
            // Around the allocator: new+get and drop+put, each timed once per pair.
            let pairs = UInt64(NativeRefs.pairLatencyRuns * NativeRefs.pairOpsPerRun * l.cpus)
            #expect((l.newGet.all + l.dropPut.all).allSatisfy { $0.total == pairs }, "\(l.phase) \(l.cpus)")
            #expect((l.newGet.percpuRef.percentile(50) ?? 0) >= (l.newGet.control.percentile(50) ?? .infinity) * 0.8,
                    "new+get with a count is not far below the allocator alone")
        }
        // The shared refcount_t's acquire+drop timed the same way, per CPU count.
        #expect(r.refcountLatency.count == cpus.count)
        for l in r.refcountLatency {
            let timed = UInt64(NativeRefs.latencyRuns * NativeRefs.refOpsPerRun * l.cpus)
            #expect(l.getPut.total == timed && l.empty.total == timed && l.getPutBlocks == [l.getPut], "\(l.cpus)")
        }
        #expect(r.kill.flagsAtReturn == 1, "percpu_ref_kill sets ATOMIC|DEAD before rmdir returns")
        #expect(r.kill.atomicSeenNs.count == 1 && r.kill.rmdirNs.count == 1)
        #expect(r.kill.countBeforeLastPut == [1], "only the stash holds the killed ref")
        #expect(r.kill.releasesSeen == 1)
        #expect(Self.ourMounts().isEmpty)
    }

    /// Gets and puts on every CPU across rmdir: every acquire succeeds (tryget, not
    /// tryget_live), the counts match, the fold leaves exactly the stash's reference, and the
    /// last put releases the cgroup once.
    @Test(.enabled(if: KernelTestSupport.twoCPUs)) func putsRacingTheSwitchReleaseOnce() throws {
        let hierarchy = try PrivateCgroup2()
        defer { hierarchy.close() }
        let out = try NativeKillRace.run(build: build, hierarchy: hierarchy, cpus: [0, 1])
        #expect(out.ops > 0)
        #expect(out.counters.allocated == UInt64(out.ops) && out.counters.freed == UInt64(out.ops) && out.counters.failed == 0)
        #expect(out.kill.countBeforeLastPut == [1])
        #expect(out.kill.releasesSeen == 1)
        #expect(hierarchy.dyingDescendants() == 0)
    }

    /// A put the loader did not ask for (the stash's own reference dropped by a program) fails
    /// the last-put check instead of passing silently.
    @Test func aPlantedExtraPutIsCaught() throws {
        let hierarchy = try PrivateCgroup2()
        defer { hierarchy.close() }
        let object = try NativeRefsObject(build: build, programs: NativeRefsObject.measured + [.cssExtraPut])
        defer { object.close() }
        let child = try hierarchy.makeChild()
        try object.stash(cgroup: child.id)
        _ = try child.remove()
        #expect(try object.program(.cssExtraPut).run(iterations: 0) == 0)
        var kill = KillObservation()
        #expect(throws: KernelCaseFailure.self) { try NativeRefs.lastPut(object, child: child, hierarchy: hierarchy, into: &kill) }
        #expect(kill.releasesSeen == 0)
        // And a get+put now finds no cgroup: the failed acquire is counted and fails the run.
        #expect(try object.program(.cssGetput).run(iterations: 4) == 1)
        #expect(object.totals().failed == 1)
    }

    /// A literal second put of one reference never reaches the kernel: the verifier refuses it.
    @Test func aDoublePutIsRejectedByTheVerifier() {
        #expect(throws: KernelUnavailable.self) { try NativeRefsObject(build: build, programs: [.cssDoublePut]) }
        let log = (try? String(contentsOfFile: verifierLog(), encoding: .utf8)) ?? ""
        #expect(log.contains("bpf_cgroup_release"))
    }

    private func verifierLog() throws -> String {
        let path = try build.object(.nativeRefs, objectSize: 64)
        return (path as NSString).deletingPathExtension + ".verifier.log"
    }

    /// A run stopped part-way (after the kill, with the stash still holding the dying cgroup)
    /// unstashes, removes its cgroups and unmounts.
    @Test(arguments: [1, 3, 5]) func anInterruptedRunLeavesNothing(stopAfter: Int) {
        let checks = Counter()
        #expect(throws: NativeRefsError.self) {
            try NativeRefs.measure(cpus: cpus, blocks: 2, rounds: 2, sliceNs: 200_000, build: build, cgroupFilesystem: "cgroup2",
                                   stop: StopCheck { checks.next() > stopAfter })
        }
        #expect(Self.ourMounts().isEmpty)
        let ours = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        #expect(!ours.contains { "/tmp/\($0)".hasPrefix("\(PrivateCgroup2.mountPrefix)\(getpid())-") })
    }

    /// What a killed process leaves (a mount with a run directory and a child) is removed by the
    /// next run.
    @Test func leftoversOfAKilledRunAreRemoved() throws {
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let pid = gone.processIdentifier
        let point = "\(PrivateCgroup2.mountPrefix)\(pid)-1"
        #expect(mkdir(point, 0o700) == 0)
        #expect(mount("none", point, "cgroup2", 0, nil) == 0)
        #expect(mkdir("\(point)/\(CgroupMemory.namePrefix)\(pid)", 0o755) == 0)
        #expect(mkdir("\(point)/\(CgroupMemory.namePrefix)\(pid)/ref-1", 0o755) == 0)
        let removed = PrivateCgroup2.removeLeftovers()
        #expect(removed.contains(point))
        let table = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        #expect(!PrivateCgroup2.mountPoints(in: table).contains(point))
        #expect(!FileManager.default.fileExists(atPath: point))
    }

    /// Without cgroup2 the measurement is n/a with one reason, and nothing is left mounted.
    @Test func noCgroup2IsUnavailable() {
        do {
            _ = try NativeRefs.measure(cpus: [0], blocks: 1, rounds: 1, sliceNs: 100_000, build: build, cgroupFilesystem: "cgroup2-absent")
            Issue.record("measured without cgroup2")
        } catch {
            guard case .unavailable(let u) = error else { Issue.record("not n/a: \(error)"); return }
            #expect(u.reason == "no cgroup2")
        }
        #expect(Self.ourMounts().isEmpty)
    }

    /// A program the object does not have (a source that lags its table) is n/a, not a crash.
    @Test func aMissingProgramIsUnavailable() throws {
        let stale = "#include \"memalloc_bench.h\"\nSEC(\"tc\")\nint nr_stash(struct __sk_buff *skb) { return 0; }\n"
        let dir = try KernelTestSupport.sourceDirectory(with: ["native_refs.bpf.c": stale])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let staleBuild = BPFBuild(environment: KernelTestSupport.environment, sourceDirectory: dir, cacheDirectory: dir + "/cache")
        #expect(throws: KernelUnavailable(reason: "program missing", note: "native_refs has no program nr_lookup")) {
            try NativeRefsObject(build: staleBuild, programs: [.nrStash, .nrLookup])
        }
    }

    @Test func leftoverMountPointsAreParsed() {
        let table = """
            40 23 0:50 / /tmp/memalloc-bench-cgroup2-123-4 rw,relatime - cgroup2 none rw
            41 23 0:51 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            """
        #expect(PrivateCgroup2.mountPoints(in: table) == ["/tmp/memalloc-bench-cgroup2-123-4"])
        #expect(PrivateCgroup2.ownerPID(ofMountPoint: "/tmp/memalloc-bench-cgroup2-123-4") == 123)
        #expect(PrivateCgroup2.ownerPID(ofMountPoint: "/tmp/memalloc-bench-cgroup2-x-4") == nil)
    }
}

/// A thread-safe step counter for StopCheck.
final class Counter: @unchecked Sendable {
    private var n = 0
    private let lock = NSLock()
    func next() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
}
