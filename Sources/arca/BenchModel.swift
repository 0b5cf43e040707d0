import ArcaRegistry
import ArgumentParser
import ArcaZoo

struct BenchModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Time a model's plan on random inputs in its range (after warm-up).",
        discussion: "REF is a zoo reference NAME[:VARIANT] or a model file path. Free dims take 1 (batch) and --seq (others)."
    )

    @Argument(help: "Zoo reference or model path.") var ref: String
    @OptionGroup var threading: ThreadsOption
    @Option(help: "Timed runs; median and p90 are reported.") var runs: Int = 20
    @Option(help: "Length of free (sequence) dims.") var seq: Int = 128
    @Flag(help: "Print a JSON object.") var json = false

    func validate() throws {
        guard runs >= 1, runs <= 100_000 else { throw ValidationError("--runs must be in 1...100000") }
        guard seq >= 1, seq <= 4096 else { throw ValidationError("--seq must be in 1...4096") }
    }

    func run() throws {
        let model = try ZooGraph(ref, catalog: try ZooCatalog.bundled(), store: try ModelStore())
        let inputs = try model.randomInputs(seq: seq)
        let pool = threading.makePool()
        let plan = try model.plan(for: inputs, pool: pool)
        var failure: Error?
        let once = { do { _ = try plan.run(inputs: inputs) } catch { failure = error } }
        for _ in 0..<max(2, runs / 10) { once() }
        if let failure { throw failure }
        let times = (0..<runs).map { _ in Stopwatch.time(once) }
        let (median, p90) = percentiles(times)
        if json {
            print(JSONLine([("model", .string(model.model)), ("variant", .string(model.variant)), ("threads", .int(threading.threads)),
                            ("runs", .int(runs)), ("median_ms", .double(median)), ("p90_ms", .double(p90))]).text)
        } else {
            let shapes = inputs.keys.sorted().map { "\($0)\(inputs[$0]?.shape.dims ?? [])" }.joined(separator: " ")
            print(String(format: "%@%@ threads=%d runs=%d: median %.3f ms, p90 %.3f ms", model.model,
                         model.variant.isEmpty ? "" : ":" + model.variant, threading.threads, runs, median, p90) + "  (\(shapes))")
        }
    }
}
