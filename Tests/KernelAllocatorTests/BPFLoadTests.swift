import Foundation
import Testing
@testable import KernelAllocator

/// Compiling and loading: a rejected program and a broken source become `n/a` with the log
/// named, never a crash.
@Suite(.enabled(if: !KernelTestSupport.skip))
struct BPFLoadTests {
    @Test func verifierRejectionNamesTheLogFile() throws {
        // Leaks the object it allocates: the verifier must refuse ("Unreleased reference").
        let leak = """
        #include "memalloc_bench.h"
        SEC("tc")
        int leaks(struct __sk_buff *skb)
        {
        \tstruct mb_object *p = mb_obj_new();
        \treturn p ? 1 : 0;
        }
        """
        let dir = try KernelTestSupport.sourceDirectory(with: ["leaks.bpf.c": leak])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let build = BPFBuild(environment: KernelTestSupport.environment, sourceDirectory: dir, cacheDirectory: dir + "/cache")
        let path = try build.object(named: "leaks", objectSize: 64)
        let log = dir + "/leaks.verifier.log"
        #expect(throws: KernelUnavailable.self) { try BPFObject(path: path, name: "leaks", logPath: log) }
        do {
            _ = try BPFObject(path: path, name: "leaks", logPath: log)
        } catch {
            #expect(error.reason == "verifier rejected the program")
            #expect(error.logPath == log)
            #expect(error.note.contains(log))
            let text = try String(contentsOfFile: log, encoding: .utf8)
            #expect(text.contains("Unreleased reference"))
        }
    }

    @Test func compileErrorNamesTheCompilerLog() throws {
        let dir = try KernelTestSupport.sourceDirectory(with: ["broken.bpf.c": "this is not C\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let build = BPFBuild(environment: KernelTestSupport.environment, sourceDirectory: dir, cacheDirectory: dir + "/cache")
        do {
            _ = try build.object(named: "broken", objectSize: 64)
            Issue.record("a broken source compiled")
        } catch {
            #expect(error.reason == "broken.bpf.c did not compile")
            let log = try #require(error.logPath)
            #expect(FileManager.default.fileExists(atPath: log))
        }
    }

    @Test func missingCompilerIsUnavailableNotACrash() {
        var e = KernelTestSupport.environment
        e.clang = nil
        let build = BPFBuild(environment: e, cacheDirectory: NSTemporaryDirectory() + "memalloc-bpf-none")
        let spec = KernelCaseSpec(subject: .kernel, workload: .pair, cpus: [0], size: 64)
        #expect(throws: KernelUnavailable(reason: "no clang with a BPF target", note: "install clang-19 (apt-get install clang-19)")) {
            _ = try KernelCase(spec: spec, build: build)
        }
    }

    @Test func remoteNeedsTwoWorkers() {
        let spec = KernelCaseSpec(subject: .kernel, workload: .remote, cpus: [0], size: 64)
        do {
            _ = try KernelCase(spec: spec, build: KernelTestSupport.build)
            Issue.record("remote on one worker loaded")
        } catch {
            #expect(error.cell.hasPrefix("n/a: remote needs"))
        }
    }
}
