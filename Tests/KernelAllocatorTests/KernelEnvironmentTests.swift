import Testing
@testable import KernelAllocator

/// The skip path: each missing piece is named, in the order a new user meets them.
struct KernelEnvironmentTests {
    static let complete = KernelEnvironment(effectiveCapabilities: 1 << 21, btfPath: "/sys/kernel/btf/vmlinux", hasBTF: true,
                                            clang: "/usr/bin/clang-19", bpftool: "/usr/sbin/bpftool", kernelRelease: "6.18.0")

    func unavailable(_ e: KernelEnvironment) -> KernelUnavailable? {
        do { try e.check(); return nil } catch { return error }
    }

    @Test func completeEnvironmentPasses() {
        #expect(unavailable(Self.complete) == nil)
    }

    @Test func missingCapabilityIsNamed() {
        var e = Self.complete
        e.effectiveCapabilities = 1 << 39 // CAP_BPF alone cannot load tc programs
        let u = unavailable(e)
        #expect(u?.cell == "n/a: no CAP_BPF")
        #expect(u?.note.contains("CAP_NET_ADMIN") == true)
        e.effectiveCapabilities = (1 << 39) | (1 << 12)
        #expect(unavailable(e) == nil)
        e.effectiveCapabilities = nil
        #expect(unavailable(e)?.reason == "no CAP_BPF")
    }

    @Test func missingBTFIsNamed() {
        var e = Self.complete
        e.hasBTF = false
        #expect(unavailable(e)?.note.contains("CONFIG_DEBUG_INFO_BTF") == true)
    }

    @Test func missingClangNamesThePackage() {
        var e = Self.complete
        e.clang = nil
        let u = unavailable(e)
        #expect(u?.reason == "no clang with a BPF target")
        #expect(u?.note.contains("apt-get install clang-19") == true)
    }

    @Test func missingBpftoolNamesThePackage() {
        var e = Self.complete
        e.bpftool = nil
        #expect(unavailable(e)?.note.contains("apt-get install bpftool") == true)
    }

    @Test func slabCacheNamesFollowTheUnitSizes() {
        #expect(SlabUsage.globalAllocatorCache(objectSize: 8) == "kmalloc-cg-16")
        #expect(SlabUsage.globalAllocatorCache(objectSize: 64) == "kmalloc-cg-96")
        #expect(SlabUsage.globalAllocatorCache(objectSize: 120) == "kmalloc-cg-128")
        #expect(SlabUsage.globalAllocatorCache(objectSize: 1016) == "kmalloc-cg-1k")
        #expect(SlabUsage.globalAllocatorCache(objectSize: 4096) == nil)
    }
}
