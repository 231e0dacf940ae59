/// Why the kernel rows cannot be measured here: the row's cell (`n/a: <reason>`) and a one-line
/// note naming what is missing (package, capability, kernel feature) and, for a rejected
/// program, the file holding the verifier log. Never a crash: every other row is unaffected.
public struct KernelUnavailable: Error, Sendable, Equatable, CustomStringConvertible {
    /// Short, for the row's unit column after "n/a: ".
    public var reason: String
    /// One line for the run's notes: what to install or enable.
    public var note: String
    /// The verifier or compiler log, when there is one.
    public var logPath: String?

    public init(reason: String, note: String, logPath: String? = nil) {
        self.reason = reason
        self.note = note
        self.logPath = logPath
    }

    /// The `unit` cell of a row that could not be measured.
    public var cell: String { "n/a: \(reason)" }
    public var description: String { "\(cell) (\(note))" }
}
