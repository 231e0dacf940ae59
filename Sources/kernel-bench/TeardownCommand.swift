import ArgumentParser
import Foundation
import KernelAllocator

struct TeardownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "teardown", abstract: "Close the last fd of a full map and time until its objects are gone.")

    @OptionGroup var shared: SharedOptions

    @Option(help: "Objects in the map.") var objects = 100_000
    @Option(help: "Repetitions per map kind.") var repetitions = 5

    func validate() throws {
        try positive(objects, "objects", max: 1 << 24)
        try positive(repetitions, "repetitions", max: 1000)
    }

    func run() throws {
        let build = shared.prepare()
        let size = shared.size
        print("map            objects   close_us   gone_us (each repetition)")
        for kind in KernelTeardown.MapKind.allCases {
            do {
                var cells: [String] = []
                for _ in 0..<repetitions {
                    let t = try KernelTeardown.measure(kind, objects: objects, size: size, cpu: 0, build: build)
                    cells.append(String(format: "%.0f/%.0f", Double(t.closeNs) / 1000, Double(t.goneNs) / 1000))
                    usleep(200_000)
                }
                print("\(kind.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(objects)   \(cells.joined(separator: "  "))")
            } catch { fail("\(kind.rawValue): \(error)", 70) }
        }
    }
}
