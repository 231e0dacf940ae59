import Results
/// The machine and command a report states first (README "Output": a kernel list reads the machine first).
public struct RunDescription: Sendable, Codable {
    public var runID: String
    public var command: String
    public var host: String
    public var cpuModel: String
    public var cpus: String
    public var nodes: Int
    public var kernel: String
    public var swift: String
    public var build: String
    public var commit: String
    public var timestamp: String
    public var settings: String
    public var notes: [String]

    public init(runID: String, command: String, host: String, cpuModel: String, cpus: String, nodes: Int, kernel: String,
                swift: String, build: String, commit: String, timestamp: String, settings: String, notes: [String]) {
        self.runID = runID
        self.command = command
        self.host = host
        self.cpuModel = cpuModel
        self.cpus = cpus
        self.nodes = nodes
        self.kernel = kernel
        self.swift = swift
        self.build = build
        self.commit = commit
        self.timestamp = timestamp
        self.settings = settings
        self.notes = notes
    }
}
