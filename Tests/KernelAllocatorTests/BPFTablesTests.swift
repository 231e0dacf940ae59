import Foundation
import Testing
@testable import KernelAllocator

/// Every program, map and global a loader names exists in the object its table says, checked
/// on the compiled file with libbpf's open alone (nothing is loaded), so a renamed C symbol
/// fails here rather than as an n/a row in a run.
@Suite(.enabled(if: !KernelTestSupport.skip))
struct BPFTablesTests {
    @Test(arguments: BPFSource.allCases)
    func everyTableEntryIsInTheCompiledObject(source: BPFSource) throws {
        let path = try KernelTestSupport.build.object(source, objectSize: 64)
        let tables = source.tables
        let found = try #require(BPFObjectContents(path: path, globals: tables.globals + [BenchHeaderGlobal.counters.rawValue]))
        #expect(Set(tables.programs).subtracting(found.programs).isEmpty, "\(source.rawValue) lacks programs")
        #expect(Set(tables.maps).subtracting(found.maps).isEmpty, "\(source.rawValue) lacks maps")
        #expect(Set(tables.globals).subtracting(found.globals).isEmpty, "\(source.rawValue) lacks globals")
        #expect(found.globals.contains(BenchHeaderGlobal.counters.rawValue), "\(source.rawValue) has no provenance counters")
    }

    /// Each program table lists every program of its object: a program added in C but not to
    /// the table would be unreachable from Swift without a string.
    @Test(arguments: BPFSource.allCases)
    func everyProgramOfTheObjectIsInItsTable(source: BPFSource) throws {
        let path = try KernelTestSupport.build.object(source, objectSize: 64)
        let found = try #require(BPFObjectContents(path: path, globals: []))
        #expect(found.programs == Set(source.tables.programs))
    }

    /// The check can fail: a symbol the file lacks is missing from what libbpf's open reports.
    @Test func aSymbolTheFileLacksIsNotFound() throws {
        let fixture = """
        #include "memalloc_bench.h"
        struct { __uint(type, BPF_MAP_TYPE_ARRAY); __type(key, __u32); __type(value, __u64); __uint(max_entries, 1); } present_map SEC(".maps");
        SEC("tc")
        int present(struct __sk_buff *skb) { return 0; }
        """
        let dir = try KernelTestSupport.sourceDirectory(with: ["fixture.bpf.c": fixture])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let build = BPFBuild(environment: KernelTestSupport.environment, sourceDirectory: dir, cacheDirectory: dir + "/cache")
        let found = try #require(BPFObjectContents(path: try build.object(named: "fixture", objectSize: 64), globals: [BenchHeaderGlobal.counters.rawValue, "absent"]))
        #expect(found.programs == ["present"])
        #expect(found.maps.contains("present_map") && !found.maps.contains("absent"))
        #expect(found.globals == [BenchHeaderGlobal.counters.rawValue])
    }

    /// Hybrid runs percpu-ref's per-op programs; every other policy its own.
    @Test func policiesMapToTheirPrograms() {
        for op in PolicyOp.allCases {
            #expect(KernelPolicy.hybrid.program(op) == KernelPolicy.percpuRef.program(op))
        }
        let perPolicy = [KernelPolicy.atomic, .percpuRef, .lazy].map { p in Set(PolicyOp.allCases.map { p.program($0) }) }
        #expect(perPolicy.allSatisfy { $0.count == PolicyOp.allCases.count })
        #expect(perPolicy[0].isDisjoint(with: perPolicy[1]) && perPolicy[1].isDisjoint(with: perPolicy[2]))
    }
}

/// The build cache key covers the headers a source includes, transitively: an edited header
/// rebuilds the objects that include it.
struct BPFIncludesTests {
    @Test func includesAreFollowedTransitively() throws {
        let dir = NSTemporaryDirectory() + "memalloc-bpf-includes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "#include \"b.h\"\nint a;\n".write(toFile: dir + "/a.h", atomically: true, encoding: .utf8)
        try "int b;\n".write(toFile: dir + "/b.h", atomically: true, encoding: .utf8)
        let source = Data("#include \"vmlinux.h\"\n #  include \"a.h\"\n#include <bpf/bpf_helpers.h>\n".utf8)
        #expect(BPFIncludes.names(in: source) == ["vmlinux.h", "a.h"])
        let before = BPFIncludes.local(of: source, in: dir)
        #expect(before.map { String(decoding: $0, as: UTF8.self) } == ["#include \"b.h\"\nint a;\n", "int b;\n"])
        try "int b2;\n".write(toFile: dir + "/b.h", atomically: true, encoding: .utf8)
        #expect(BPFIncludes.local(of: source, in: dir) != before)
    }

    /// strategies.bpf.c's per-policy files are all reached from it.
    @Test func strategiesReachesEveryPolicyFile() throws {
        let dir = BPFBuild.defaultSourceDirectory
        let source = try #require(FileManager.default.contents(atPath: dir + "/strategies.bpf.c"))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".bpf.h") }
        #expect(!files.isEmpty)
        let reached = BPFIncludes.local(of: source, in: dir)
        for f in files {
            let text = try #require(FileManager.default.contents(atPath: "\(dir)/\(f)"))
            #expect(reached.contains(text), "\(f) is not included by strategies.bpf.c")
        }
    }
}
