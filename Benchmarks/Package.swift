// swift-tools-version:6.1
import PackageDescription

// A package of its own, depending on the root by path: package-benchmark's malloc interposer
// (trait MallocInterposer) replaces malloc in every executable it is linked into, so it must
// never be in the graph of the `bench` executable, whose system-allocator reference rows would
// then measure the interposer. Only these benchmark executables link it.
let package = Package(
    name: "memalloc-bench-benchmarks",
    dependencies: [
        .package(name: "memalloc-bench", path: ".."),
        // Malloc counts are what the allocation-free fast paths are checked on; the runtime
        // interposer (the other default trait) is left off.
        .package(url: "https://github.com/ordo-one/package-benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The metrics and checked tolerances every fast-path benchmark uses.
        .target(
            name: "FastPathThresholds",
            dependencies: [.product(name: "Benchmark", package: "package-benchmark")],
            path: "Benchmarks/FastPathThresholds"),
        .executableTarget(
            name: "AllocatorFastPaths",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                "FastPathThresholds",
                .product(name: "MemAllocCore", package: "memalloc-bench"),
            ],
            path: "Benchmarks/AllocatorFastPaths",
            swiftSettings: [.unsafeFlags(["-O"])],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]),
        .executableTarget(
            name: "StrategyFastPaths",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                "FastPathThresholds",
                .product(name: "MemAllocCore", package: "memalloc-bench"),
                .product(name: "LifetimeStrategies", package: "memalloc-bench"),
            ],
            path: "Benchmarks/StrategyFastPaths",
            swiftSettings: [.unsafeFlags(["-O"])],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]),
    ],
    swiftLanguageModes: [.v5]
)
