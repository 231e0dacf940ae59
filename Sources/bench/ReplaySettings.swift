import Platform
import Results
import Scenarios

extension ScenarioSettings {
    /// The safety replay's settings from the options `bench scenarios` and `bench run` share
    /// (default iterations when nil); usage errors for bad values.
    static func fromOptions(iterations: Int?, seed: UInt64, cpus: String?) throws -> ScenarioSettings {
        var settings = ScenarioSettings.defaults
        if let iterations {
            guard iterations > 0 && iterations <= 100_000_000 else {
                throw BenchError.usage("--iterations must be between 1 and 100000000, got \(iterations)")
            }
            settings.iterations = iterations
        }
        settings.seed = seed
        if let cpus {
            do { settings.cpus = try Topology.current().resolve(cpuList: cpus) } catch let e as PlatformError {
                throw BenchError.usage(e.description)
            }
        }
        return settings
    }
}
