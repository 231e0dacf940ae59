import Foundation
import Glibc
import Testing
@testable import KernelAllocator

/// The kernel's cost of creating an allocator, and who it charges, measured here: these run
/// on this machine (root, BTF, a memory cgroup controller), and their skip paths are checked
/// with the missing piece injected.
@Suite(.enabled(if: !KernelTestSupport.skip), .serialized)
struct KernelOwnershipTests {
    @Test func btfHasTheAllocatorStructs() throws {
        let sizes = try #require(KernelBTFSizes.structSizes(["bpf_mem_cache", "bpf_mem_caches", "no_such_struct_here"]))
        let cache = try #require(sizes["bpf_mem_cache"] ?? nil)
        #expect(cache > 64)
        // struct bpf_mem_caches is NUM_CACHES (11) caches.
        #expect(sizes["bpf_mem_caches"] ?? nil == 11 * cache)
        #expect(sizes["no_such_struct_here"] ?? 0 == nil)
    }

    @Test func mapCreationCostsAndReportedMemory() throws {
        let probe = MapCreationProbe(count: 8, maxEntries: 4096)
        let cgroup = try? CgroupMemory.current().get().makeChild(tag: "test-create")
        defer { cgroup?.remove() }
        let noPrealloc = try probe.run(.htabNoPrealloc, cgroup: cgroup)
        let prealloc = try probe.run(.htabPrealloc, cgroup: cgroup)
        let array = try probe.run(.array, cgroup: cgroup)
        #expect(noPrealloc.createNanoseconds.count == 8 && noPrealloc.createNanoseconds.allSatisfy { $0 > 0 })
        // Preallocated: every element up front (4096 × ≥ 120 B) is in the reported memory.
        let pre = try #require(prealloc.memlockBytes), lazy = try #require(noPrealloc.memlockBytes)
        #expect(pre > lazy + 4096 * 120)
        #expect(try #require(array.memlockBytes) >= 4096 * 64)
        if let cgroup {
            // The creator's cgroup pays for the preallocated elements.
            #expect(try #require(prealloc.charge).total > 4096 * 120 / 2, "\(cgroup.version)")
        }
    }

    @Test func memcgChargesTheAllocatorsCreator() throws {
        let memory = try CgroupMemory.current().get()
        let child = try memory.makeChild(tag: "test-charge")
        defer { child.remove() }
        let header = try #require(KernelBTFSizes.structSizes(["htab_elem"])?["htab_elem"] ?? nil)
        let probe = MemcgChargeProbe(objects: 32_768, build: KernelTestSupport.build)
        let inside = try probe.run(.createdInside, in: child, elementHeader: header)
        let outside = try probe.run(.createdOutside, in: child, elementHeader: header)
        let global = try probe.run(.global, in: child, elementHeader: header)
        #expect(inside.charged, "created inside: \(inside.charge.total) B for \(inside.objectBytes) B of elements")
        #expect(!outside.charged, "created outside: \(outside.charge.total) B")
        #expect(!global.charged, "bpf_global_ma: \(global.charge.total) B for \(global.objectBytes) B of objects")
        // The objects do exist: their kmalloc cache grew by about their size. /proc/slabinfo is
        // system-wide and the other kernel suites run alongside, freeing objects of the same
        // cache through RCU, so one of three tries must show it.
        var grown = [global.slabBytes ?? 0]
        while grown.count < 3, grown.last! <= global.objectBytes / 2 {
            grown.append(try probe.run(.global, in: child, elementHeader: header).slabBytes ?? 0)
        }
        #expect(grown.last! > global.objectBytes / 2, "slab bytes gained per try: \(grown) for \(global.objectBytes) B")
    }

    @Test func noMemoryControllerIsNotApplicable() {
        let mounts = """
        25 1 0:23 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        30 1 0:28 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """
        let dir = NSTemporaryDirectory() + "memalloc-cg-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try? FileManager.default.createDirectory(atPath: dir + "/sys/fs/cgroup/unified", withIntermediateDirectories: true)
        try? "hugetlb\n".write(toFile: dir + "/sys/fs/cgroup/unified/cgroup.controllers", atomically: true, encoding: .utf8)
        let r = CgroupMemory.discover(mountinfo: mounts, procCgroup: "0::/\n4:cpu:/\n", root: dir)
        guard case .failure(let why) = r else { Issue.record("found a controller that is not there"); return }
        #expect(why.cell == "n/a: no memory cgroup controller")
        #expect(why.note.contains("without the memory controller"))
    }

    @Test func discoversV2BeforeV1() throws {
        let dir = NSTemporaryDirectory() + "memalloc-cg2-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/sys/fs/cgroup", withIntermediateDirectories: true)
        try "cpu memory pids\n".write(toFile: dir + "/sys/fs/cgroup/cgroup.controllers", atomically: true, encoding: .utf8)
        let mounts = """
        30 1 0:28 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw
        31 1 0:29 / /mnt/v1mem rw,relatime - cgroup cgroup rw,memory
        """
        let v2 = try CgroupMemory.discover(mountinfo: mounts, procCgroup: "0::/user.slice\n", root: dir).get()
        #expect(v2.version == .v2 && v2.parent == dir + "/sys/fs/cgroup")
        let v1 = try CgroupMemory.discover(mountinfo: mounts.split(separator: "\n")[1...].joined(), procCgroup: "4:memory:/a/b\n").get()
        #expect(v1.version == .v1 && v1.parent == "/mnt/v1mem/a/b")
    }

    @Test func withoutCapabilitiesTheProbeIsNotApplicable() {
        var e = KernelTestSupport.environment
        e.effectiveCapabilities = 0
        #expect(throws: KernelUnavailable.self) { try BPFBuild(environment: e).object(.objSlots, objectSize: 64) }
    }
}
