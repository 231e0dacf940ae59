// swift-tools-version:6.1
import PackageDescription

// The measured modules are always compiled optimized (-O, no exclusivity checks): a debug
// `swift run bench` must not print debug-build numbers. See README "Build configuration".
let optimized: [SwiftSetting] = [
    .unsafeFlags(["-O", "-enforce-exclusivity=unchecked"]),
]
let cSettings: [CSetting] = [.define("_GNU_SOURCE")]

let package = Package(
    name: "memalloc-bench",
    products: [
        .executable(name: "bench", targets: ["bench"]),
        // For the nested Benchmarks/ package only (package-benchmark's malloc interposer stays out of `bench`).
        .library(name: "MemAllocCore", targets: ["MemAlloc", "Platform"]),
        .library(name: "LifetimeStrategies", targets: ["Strategies"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // `bench ab` runs the two revisions' builds as child processes, with timeouts.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        // FilePath, in Subprocess's API.
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // Platform: C shims and their Swift wrappers.
        .systemLibrary(name: "CNuma", pkgConfig: "numa", providers: [.apt(["libnuma-dev"])]),
        .target(name: "CPlatform", cSettings: cSettings),
        .target(name: "CURCU", cSettings: cSettings, linkerSettings: [.linkedLibrary("urcu-qsbr"), .linkedLibrary("urcu-common")]),
        .target(
            name: "Platform", dependencies: ["CNuma", "CPlatform", .product(name: "Atomics", package: "swift-atomics")],
            swiftSettings: optimized),

        // The allocator core modelled on kernel/bpf/memalloc.c.
        .target(
            name: "MemAlloc", dependencies: ["Platform", "CPlatform", .product(name: "Atomics", package: "swift-atomics")],
            swiftSettings: optimized),

        // Lifetime strategies over the core, and the BPF object model they serve.
        .target(
            name: "Strategies",
            dependencies: ["MemAlloc", "Platform", "CURCU", "CPlatform", .product(name: "Atomics", package: "swift-atomics")],
            swiftSettings: optimized),
        .target(
            name: "BPFModel",
            dependencies: ["Strategies", "MemAlloc", "Platform", .product(name: "Atomics", package: "swift-atomics")],
            swiftSettings: optimized),

        // Reference rows: system allocators loaded at run time.
        .target(name: "CDynamicLoader", cSettings: cSettings),
        .target(name: "SystemAllocators", dependencies: ["Platform", "CDynamicLoader"], swiftSettings: optimized),

        // Ground truth: the running kernel's bpf_mem_alloc, through BPF programs (bpf/*.bpf.c,
        // compiled on first use) loaded with libbpf.
        .systemLibrary(name: "CLibbpf", pkgConfig: "libbpf", providers: [.apt(["libbpf-dev"])]),
        .target(
            name: "KernelAllocator",
            dependencies: ["CLibbpf", "Platform", "Results", "Statistics", .product(name: "Atomics", package: "swift-atomics")],
            exclude: ["bpf"],
            swiftSettings: optimized),

        // The commit the binary was built from, recorded at build time (no git at run time).
        .plugin(name: "BuildCommit", capability: .buildTool()),
        .target(name: "BuildInfo", plugins: ["BuildCommit"]),

        // Sample statistics, effects and added ns, bootstrap, Mann-Whitney, t-test, E-Divisive, the RNG.
        .target(name: "Statistics", swiftSettings: optimized),

        // The result vocabulary (phases, ops, metrics with their units and directions, verdicts),
        // the typed row, and its CSV codec and atomic file writer: the only place names are text.
        .target(name: "Results", swiftSettings: optimized),

        // Regression: `bench compare`, `bench ab` (and its interleaved order), `bench history` and
        // its export to Apache Otava.
        .target(name: "Regression", dependencies: ["Results", "Statistics"], swiftSettings: optimized),

        // Report sections, findings and renderers: markdown, mail text, terminal, JSON.
        .target(name: "Reports", dependencies: ["Results", "Statistics"], swiftSettings: optimized),

        // Workloads, phases and measurement.
        .target(
            name: "Runner",
            dependencies: [
                "Strategies", "BPFModel", "MemAlloc", "Platform", "CPlatform", "SystemAllocators", "Results", "Reports", "Statistics", "BuildInfo",
                "KernelAllocator", "Scenarios",
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: optimized),

        // The thread's hazards replayed against every strategy.
        .target(
            name: "Scenarios",
            dependencies: [
                "BPFModel", "Strategies", "MemAlloc", "Platform", "CPlatform", "Results", "Statistics",
                .product(name: "Atomics", package: "swift-atomics"),
            ],
            swiftSettings: optimized),

        .executableTarget(
            name: "bench",
            dependencies: [
                "Runner", "Results", "Regression", "Reports", "Statistics", "Scenarios", "Platform", "KernelAllocator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: optimized),

        // The kernel's allocator on its own, selftests-bench style (and the gap experiment).
        .executableTarget(
            name: "kernel-bench",
            dependencies: ["KernelAllocator", "Results", "Statistics", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: optimized),

        .testTarget(
            name: "PlatformTests", dependencies: ["Platform", "CNuma", .product(name: "Atomics", package: "swift-atomics")]),
        .testTarget(
            name: "MemAllocTests",
            dependencies: ["MemAlloc", "Platform", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "StrategiesTests", dependencies: ["Strategies", "MemAlloc", "Platform"]),
        .testTarget(name: "BPFModelTests", dependencies: ["BPFModel", "Strategies", "MemAlloc", "Platform"]),
        .testTarget(name: "SystemAllocatorsTests", dependencies: ["SystemAllocators", "Platform"]),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics"]),
        .testTarget(name: "ResultsTests", dependencies: ["Results"]),
        .testTarget(name: "RegressionTests", dependencies: ["Regression", "Results", "Statistics"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Results", "Statistics"]),
        .testTarget(name: "KernelAllocatorTests", dependencies: ["KernelAllocator", "Platform", "Results"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Results", "Reports", "Strategies", "MemAlloc", "Platform", "Scenarios", "KernelAllocator"]),
        .testTarget(name: "ScenariosTests", dependencies: ["Scenarios", "BPFModel", "Strategies", "MemAlloc", "Platform", "Results", "Reports"]),
    ],
    swiftLanguageModes: [.v5]
)
