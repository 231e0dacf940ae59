import Foundation
@testable import KernelAllocator

/// The machine's kernel toolchain for tests that load programs. These tests run here and in CI
/// (root, kernel BTF, clang-19, bpftool): an unavailable kernel is a failure, not a skip,
/// unless MEMALLOC_SKIP_KERNEL_TESTS=1 says this machine cannot run them.
enum KernelTestSupport {
    static let environment = KernelEnvironment.current()
    static let build = BPFBuild(environment: environment)
    static let skip = ProcessInfo.processInfo.environment["MEMALLOC_SKIP_KERNEL_TESTS"] == "1"
    static var twoCPUs: Bool { sysconf(Int32(_SC_NPROCESSORS_ONLN)) >= 2 }

    /// A temporary BPF source directory holding the real shared header plus `files`.
    static func sourceDirectory(with files: [String: String]) throws -> String {
        let dir = NSTemporaryDirectory() + "memalloc-bpf-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: BPFBuild.defaultSourceDirectory + "/memalloc_bench.h", toPath: dir + "/memalloc_bench.h")
        for (name, text) in files { try text.write(toFile: "\(dir)/\(name)", atomically: true, encoding: .utf8) }
        return dir
    }
}
