import Statistics

/// Which BPF emulation (strategies.bpf.c's `<prefix>_acct`: get + put, no allocator) stands
/// beside the native percpu_ref in the same rounds.
public enum EmulatedRef: String, Sendable, CaseIterable {
    /// `pcpu_acct`: kernel-percpu-ref's emulation (mode word, PERCPU_ARRAY slot; after its own
    /// kill + grace + fold, a locked RMW on the shared count).
    case percpuRef = "percpu-ref"
    /// `atomic_acct`: kernel-atomic's one shared count, which is what the emulated percpu_ref
    /// amounts to once killed.
    case atomic

    /// The program in strategies.bpf.c.
    var program: StrategiesProgram { self == .percpuRef ? .pcpuAcct : .atomicAcct }
}

/// One emulation at one phase and CPU count, measured in the same rounds as the native css
/// get+put: its added ns over its own object's control (`lazy_acct`, no accounting), and per
/// block the median over rounds of (emulation − lazy) − (native − css_empty), paired by round.
public struct EmulationCalibration: Sendable {
    public var emulation: EmulatedRef
    public var phase: RefPhase
    public var cpus: Int
    /// The emulation over lazy_acct (subject, control and added ns per block).
    public var cost: AddedCost
    /// Emulation added − native added, ns, per block (paired within each round of the block).
    public var overNativeNs: [Double] = []

    public init(emulation: EmulatedRef, phase: RefPhase, cpus: Int, cost: AddedCost = AddedCost(), overNativeNs: [Double] = []) {
        self.emulation = emulation
        self.phase = phase
        self.cpus = cpus
        self.cost = cost
        self.overNativeNs = overNativeNs
    }

    /// The median over blocks of emulation − native, with its sign-test 95 % interval.
    public var overNative: MedianInterval.Result? { MedianInterval.interval(overNativeNs) }

    /// Adds one block from rounds whose columns are `native` (css_getput), `nativeControl`
    /// (css_empty), `subject` (this emulation) and `control` (lazy_acct); rounds with a stalled
    /// slice (NaN) in any column are dropped.
    mutating func append(rounds: [[Double]], native: Int, nativeControl: Int, subject: Int, control: Int) {
        let done = rounds.filter { $0.allSatisfy(\.isFinite) }
        cost.append(rounds: done.map { [$0[subject], $0[control]] })
        let paired = done.map { ($0[subject] - $0[control]) - ($0[native] - $0[nativeControl]) }.sorted()
        overNativeNs.append(paired.isEmpty ? .nan : SampleStatistics.quantile(paired, 0.5))
    }
}

extension NativeRefResults {
    /// The calibration of `emulation` at `phase` and `cpus`, if it ran.
    public func calibration(_ emulation: EmulatedRef, _ phase: RefPhase, cpus: Int) -> EmulationCalibration? {
        calibration.first { $0.emulation == emulation && $0.phase == phase && $0.cpus == cpus }
    }

    /// What the emulation's own kill adds to its get+put at `cpus`: killed − live added ns,
    /// paired by block, as `killPenalty` for native.
    public func emulatedKillPenalty(_ emulation: EmulatedRef = .percpuRef, cpus: Int) -> MedianInterval.Result? {
        guard let live = calibration(emulation, .live, cpus: cpus), let killed = calibration(emulation, .killed, cpus: cpus) else { return nil }
        return MedianInterval.interval(zip(killed.cost.addedNs, live.cost.addedNs).map { $0 - $1 })
    }

    /// Adds one block of the calibrated rounds: columns css_getput, css_empty, then the
    /// emulations in `EmulatedRef.allCases` order, then lazy_acct.
    mutating func appendCalibration(rounds: [[Double]], phase: RefPhase, cpus: Int) {
        let lazy = 2 + EmulatedRef.allCases.count
        for (k, e) in EmulatedRef.allCases.enumerated() {
            guard let i = calibration.firstIndex(where: { $0.emulation == e && $0.phase == phase && $0.cpus == cpus }) else { continue }
            calibration[i].append(rounds: rounds, native: 0, nativeControl: 1, subject: 2 + k, control: lazy)
        }
    }
}
