import Results

/// What one sequence did in the kernel: the programs the verifier accepted and where every
/// object went. Accounted when allocated = dropped by programs + left in maps
/// (the map free drops those: `bpf_obj_free_fields`).
public struct KernelSafetyRun: Sendable, Equatable {
    public var scenario: Scenario
    /// Programs of the sequence the verifier accepted (all it needs, or the run throws).
    public var programs: [String] = []
    public var allocated = 0
    public var freedByPrograms = 0
    /// Objects still in maps when the last program was unloaded (counted by a walk program).
    public var inMapsAtClose = 0
    /// Maps of the sequence still alive (their ids held) 5 s after their last fd closed.
    public var mapsLeft = 0
    /// The racing run, when one held objects while the control plane acted.
    public var window: HoldWindow?
    /// concurrent-walk, moved-behind-walk: the walks CPU 0 made until the racing run returned.
    public var walksDuringRace: Int?
    /// New WARNING/BUG lines in the kernel log over the sequence (nil: log unreadable).
    public var kernelReports: Int?

    public init(scenario: Scenario) { self.scenario = scenario }

    public var accounted: Bool { allocated == freedByPrograms + inMapsAtClose }
}

/// One run that held objects while the control plane acted: its length and where the
/// control plane's step fell inside it (ns from the run's first take).
public struct HoldWindow: Sendable, Equatable {
    public var program: String
    public var cpu: Int
    public var held: Int
    public var runNs: Int
    /// The control plane's step: start and end relative to the run's start (negative: before).
    public var actedFromNs: Int
    public var actedToNs: Int
    public var step: String

    public var inside: Bool { actedFromNs >= 0 && actedToNs <= runNs }
}

/// A program shape the verifier refused: the program and the log line that says why.
public struct KernelRefusal: Sendable, Equatable {
    public var program: String
    public var reason: String
}
