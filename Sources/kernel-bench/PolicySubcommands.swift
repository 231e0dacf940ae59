import ArgumentParser
import KernelAllocator

/// `kernel-bench strategies|kill|interleaved|walk`: the lifetime policies in BPF around
/// bpf_global_ma (`PolicyCommands` measures and prints).
protocol PolicySubcommand: ParsableCommand {
    var shared: SharedOptions { get }
    func measure(build: BPFBuild, size: Int) throws
}

extension PolicySubcommand {
    func run() throws {
        let build = shared.prepare()
        do { try measure(build: build, size: shared.size) } catch let u as KernelUnavailable {
            fail(u.description, 69)
        } catch { fail("\(error)", 70) }
    }
}

struct StrategiesCommand: PolicySubcommand {
    static let configuration = CommandConfiguration(
        commandName: "strategies",
        abstract: "The policies' ns/op and added ns over `kernel` (95 % bootstrap, repetitions paired), then kill/grace/fold/walk.")

    @OptionGroup var shared: SharedOptions
    @Option(help: "Measured time per repetition, ms.") var duration = 200
    @Option(help: "Warm-up before each repetition, ms.") var warmup = 30
    @Option(help: "Repetitions per case.") var repetitions = 7
    @Option(name: .customLong("ops-per-run"), help: "Operations per BPF_PROG_TEST_RUN.") var opsPerRun = 256
    @Option(name: .customLong("map-values"), help: "Objects stashed before each kill.") var mapValues = 4096

    func validate() throws {
        try positive(duration, "duration", max: 3_600_000)
        guard (0...3_600_000).contains(warmup) else { throw ValidationError("--warmup must be 0…3600000, got \(warmup)") }
        try positive(repetitions, "repetitions", max: 10_000)
        try positive(opsPerRun, "ops-per-run", max: 1 << 20)
        try positive(mapValues, "map-values", max: 1 << 24)
    }

    func measure(build: BPFBuild, size: Int) throws {
        try PolicyCommands.strategies(build: build, size: size, durationMs: duration, warmupMs: warmup, repetitions: repetitions,
                                      k: opsPerRun, mapValues: mapValues)
    }
}

struct KillCommand: PolicySubcommand {
    static let configuration = CommandConfiguration(
        commandName: "kill", abstract: "The policies' kill, grace period, fold and the frees after it, at 1 and 2 threads.")

    @OptionGroup var shared: SharedOptions
    @Option(help: "Lifecycles per policy and thread count.") var repetitions = 11
    @Option(name: .customLong("map-values"), help: "Objects stashed before each kill.") var mapValues = 16384

    func validate() throws {
        try positive(repetitions, "repetitions", max: 10_000)
        try positive(mapValues, "map-values", max: 1 << 24)
    }

    func measure(build: BPFBuild, size: Int) throws {
        try PolicyCommands.kill(build: build, size: size, repetitions: repetitions, mapValues: mapValues)
    }
}

struct InterleavedCommand: PolicySubcommand {
    static let configuration = CommandConfiguration(
        commandName: "interleaved", abstract: "The policies' added ns with the allocator's drift cancelled: subjects time-sliced, order rotated.")

    @OptionGroup var shared: SharedOptions
    @Option(help: "Rounds (each one slice per subject).") var rounds = 60
    @Option(name: .customLong("slice-ms"), help: "One subject's slice, ms.") var sliceMs = 5
    @Option(name: .customLong("ops-per-run"), help: "Operations per BPF_PROG_TEST_RUN.") var opsPerRun = 256

    func validate() throws {
        try positive(rounds, "rounds", max: 100_000)
        try positive(sliceMs, "slice-ms", max: 60_000)
        try positive(opsPerRun, "ops-per-run", max: 1 << 20)
    }

    func measure(build: BPFBuild, size: Int) throws {
        try PolicyCommands.interleaved(build: build, size: size, rounds: rounds, sliceMs: sliceMs, k: opsPerRun)
    }
}

struct WalkCommand: PolicySubcommand {
    static let configuration = CommandConfiguration(
        commandName: "walk", abstract: "The unload walk per map value, array and hash, cold and warm.")

    @OptionGroup var shared: SharedOptions
    @Option(name: .customLong("map-values"), parsing: .unconditional, help: "Comma-separated map sizes.")
    var mapValues = "1024,16384,262144,1048576"
    @Option(help: "Repetitions per map size.") var repetitions = 5
    @Option(help: "Owners (allocators) the objects come from, in stretches of 1000.") var owners = 8

    var sizes: [Int] { mapValues.split(separator: ",", omittingEmptySubsequences: false).compactMap { Int($0) } }

    func validate() throws {
        let items = mapValues.split(separator: ",", omittingEmptySubsequences: false)
        guard !items.isEmpty, items.count == sizes.count, sizes.allSatisfy({ (1...(1 << 24)).contains($0) }) else {
            throw ValidationError("--map-values must be sizes 1…16777216, comma-separated, got '\(mapValues)'")
        }
        try positive(repetitions, "repetitions", max: 10_000)
        try positive(owners, "owners", max: 1 << 16)
    }

    func measure(build: BPFBuild, size: Int) throws {
        try PolicyCommands.walk(build: build, size: size, sizes: sizes, repetitions: repetitions, owners: owners)
    }
}
