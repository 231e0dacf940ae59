import Results
/// The kernel subjects as rows name them and the model strategy each policy runs: the one map
/// between the two on the report side (Reports reads rows and does not link KernelAllocator;
/// a runner test checks it against `KernelSubjectKind.modelStrategy`).
public enum KernelSubjects {
    public static let prefix = "kernel-"
    /// The same-object control of every added ns: the policies' programs, no per-op accounting.
    public static let control = "kernel-lazy"
    /// The policies whose accounting the kernel table measures, and the model strategy of each.
    public static let policies: [(kernel: String, model: String)] = [
        ("kernel-atomic", "atomic"), ("kernel-percpu-ref", "percpu-ref"), ("kernel-hybrid", "hybrid"),
    ]

    /// The kernel subject running model strategy `model`'s accounting.
    public static func kernel(_ model: String) -> String { prefix + model }

    /// Whether a row's strategy is one of the kernel's subjects.
    public static func isKernel(_ strategy: String) -> Bool { strategy.hasPrefix(prefix) }

    /// The name without the prefix (`kernel-atomic` → `atomic`).
    public static func short(_ strategy: String) -> String { isKernel(strategy) ? String(strategy.dropFirst(prefix.count)) : strategy }
}
