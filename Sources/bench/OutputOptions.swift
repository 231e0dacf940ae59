import ArgumentParser
import Results

/// What one command that writes result files says about its output options.
protocol OutputDefaults {
    /// `--format` when not given (scenarios leave json out).
    static var formats: CommaList<Formats> { get }
    /// `--quiet`'s help: what still reaches stdout differs by command.
    static var quietHelp: String { get }
}

/// `--output`, `--format` and `--quiet` of the commands that write result files.
struct OutputOptions<Defaults: OutputDefaults>: ParsableArguments {
    @Option(parsing: .unconditional, help: "Directory for the result files.")
    var output = "Results"

    @Option(parsing: .unconditional, help: "Comma-separated formats to write.")
    var format: CommaList<Formats> = Defaults.formats

    @Flag(help: ArgumentHelp(Defaults.quietHelp))
    var quiet = false

    /// The formats to write, each once.
    var formats: [ResultFormat] { format.elements }

    func validate() throws { try format.validate() }
}

extension CommaList where Names == Formats {
    /// Every format: csv, md, txt, json.
    static var every: CommaList { CommaList(ResultFormat.allCases.map { .one($0) }) }
}
