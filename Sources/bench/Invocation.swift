import Results
/// How `bench` was invoked, for the headers of the reports every command writes.
enum Invocation {
    /// The command as typed: `bench` and its arguments.
    static var commandLine: String { (["bench"] + CommandLine.arguments.dropFirst()).joined(separator: " ") }
}
