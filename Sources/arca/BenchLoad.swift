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
    @Option(help: "Batch and sequence length a text model is planned at, as BxS.") var textShape = "1x128"
    @Flag(help: "Print a JSON object.") var json = false
    @OptionGroup var store: StoreOptions

    func run() throws {
        let dims = textShape.split(separator: "x").compactMap { Int($0) }
        guard dims.count == 2, dims.allSatisfy({ (1...4096).contains($0) }) else { throw ValidationError("--text-shape takes BxS, e.g. 32x128") }
        let s = try store.open()
        _ = try s.resolve(ref)
        var times: [Double] = []
        var plannedText = ""
        for _ in 0..<max(1, runs) {
            times.append(Stopwatch.time {
                do {
                    let loaded = try ZooStore.load(ref, store: s)
                    var g = loaded.graph
                    // Text graphs have dynamic batch/sequence dims: plan them at --text-shape (1x128 is what a server plans first).
                    let shapes: [String: [Int]]? = g.inputs.contains { g.values[$0].shape.contains(-1) }
                        ? ["input_ids": dims, "attention_mask": dims, "position_ids": [dims[1]]] : nil
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
