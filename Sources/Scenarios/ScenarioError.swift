/// Why a scenario could not be run (not a verdict: the script itself failed).
public enum ScenarioError: Error, Equatable, CustomStringConvertible {
    /// `ScenarioSettings.cpus` is empty or `iterations` < 1.
    case invalidSettings(String)
    /// A step the script relies on did not happen (an allocation failed, a map held something
    /// unexpected).
    case scriptFailed(scenario: String, strategy: String, step: String)
    /// The second pinned worker never started.
    case helperDidNotStart(cpu: Int)
    /// The caller's stop condition (^C) held between two iterations.
    case interrupted

    public var description: String {
        switch self {
        case .invalidSettings(let s): return "invalid scenario settings: \(s)"
        case .scriptFailed(let sc, let st, let step): return "scenario \(sc) under \(st): \(step)"
        case .helperDidNotStart(let cpu): return "the second scenario worker did not start on CPU \(cpu)"
        case .interrupted: return "interrupted"
        }
    }
}
