/// When in a case's life a row was measured: the `phase` column of the results CSV.
///
/// A closed set of names for what this build measures, but an open type: a file written by an
/// older build may hold a phase this one no longer makes, and `compare`/`history` must still
/// read it. Code names phases only through these constants; text becomes a `Phase` only in the
/// CSV/JSON codec.
public struct Phase: ColumnName {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Before the kill: the allocator is owned and serving.
    public static let live = Phase(rawValue: "live")
    /// The kill itself, and the frees racing it.
    public static let kill = Phase(rawValue: "kill")
    /// Frees of objects that outlived the kill (the thread's "downgrades to atomic").
    public static let postKill = Phase(rawValue: "post-kill")
    /// The map's own free of the values left at the end.
    public static let drain = Phase(rawValue: "drain")
    /// Destroying the allocator once the last object is gone.
    public static let teardown = Phase(rawValue: "teardown")
    /// The host's clock, line and RMW costs: they measure the machine, not the code.
    public static let calibration = Phase(rawValue: "calibration")
    /// What owning an allocator costs (bytes, one-off µs).
    public static let own = Phase(rawValue: "own")
    /// The kernel policies' paired rounds against a same-object control.
    public static let interleaved = Phase(rawValue: "interleaved")
    /// The kernel's own refcounts (percpu_ref through a cgroup css, refcount_t).
    public static let native = Phase(rawValue: "native")
    /// What the kernel's pair is made of: counts from raw tracepoints and time per part,
    /// never while a headline row is timed.
    public static let anatomy = Phase(rawValue: "anatomy")
    /// A safety scenario's verdict.
    public static let scenario = Phase(rawValue: "scenario")
    /// A safety scenario's planted control (the hazard it must catch).
    public static let control = Phase(rawValue: "control")

    /// The phases of a case's own life, in order (the model's and the kernel's).
    public static let lifecycle: [Phase] = [.live, .kill, .postKill, .drain, .teardown]
    /// After the kill: where the thread's claim lives.
    public var isAfterKill: Bool { self == .kill || self == .postKill || self == .drain }
}
