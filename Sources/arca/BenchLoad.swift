import ArcaKernels
import ArcaRuntime
import ArcaZoo
import ArgumentParser
import Foundation

struct BenchLoad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Time a cold load from the store: read and verify blobs, decompress, rebuild the graph, build the plan.")

    @Argument(help: "NAME:VARIANT in the store.") var ref: String
    @Option(help: "Repetitions; the median is reported.") var runs = 5
    @Flag(help: "Print a JSON object.") var json = false
    @OptionGroup var store: StoreOptions

    func run() throws {
        let s = try store.open()
        _ = try s.resolve(ref)
        var times: [Double] = []
        var plannedText = ""
        for _ in 0..<max(1, runs) {
            times.append(Stopwatch.time {
                do {
                    let loaded = try ZooStore.load(ref, store: s)
                    var g = loaded.graph
                    // Text graphs have dynamic batch/sequence dims: plan them at 1x128, as a server would first.
                    let shapes: [String: [Int]]? = g.inputs.contains { g.values[$0].shape.contains(-1) }
                        ? ["input_ids": [1, 128], "attention_mask": [1, 128], "position_ids": [128]] : nil
                    g = try g.optimized()
                    let plan = try Plan(graph: g, inputShapes: shapes, pool: .serial)
                    plannedText = "\(plan.stepDescriptions.count) steps, arena \(plan.arenaBytes) bytes"
                } catch {
                    plannedText = "error: \(error)"
                }
            })
        }
        if plannedText.hasPrefix("error:") { throw ValidationError(plannedText) }
        let median = times.sorted()[times.count / 2]
        if json {
            print(JSONLine([("ref", .string(ref)), ("runs", .int(times.count)), ("median_ms", .double(median * 1e3))]).text)
        } else {
            print(String(format: "load %@: %.1f ms (%@)", ref, median * 1e3, plannedText))
        }
    }
}
