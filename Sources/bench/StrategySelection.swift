import ArgumentParser
import Results

/// The names one command's `--strategy` accepts, and its help.
protocol StrategyNames: ListOption {
    static var help: String { get }
}

extension StrategyNames {
    static var noun: String { "strategy" }
}

/// `--strategy`: comma-separated names or `all`, read the same way by `run`, `footprint` and
/// `scenarios`; each command says which names it takes.
struct StrategySelection<Names: StrategyNames>: ParsableArguments {
    @Option(name: .customLong("strategy"), parsing: .unconditional, help: ArgumentHelp(Names.help))
    var strategy: CommaList<Names> = .all

    func validate() throws { try strategy.validate() }
}
