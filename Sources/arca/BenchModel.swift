import ArcaRegistry
import ArgumentParser
import ArcaZoo
import ArcaRuntime
import ArcaTensor
import ArcaKernels

struct BenchModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Time a model's plan on random inputs in its range (after warm-up).",
        discussion: """
            REF is a zoo reference NAME[:VARIANT] or a model file path. Free dims take 1 (batch) and --seq (others). \
            With --versus REF2 both models run in one process in alternating blocks of --block runs, so a drift in \
            the machine's speed falls on both alike; the speedup is the median over blocks of REF's block median \
            over REF2's.
            """
    )

    @Argument(help: "Zoo reference or model path.") var ref: String
    @OptionGroup var threading: ThreadsOption
    @Option(help: "Timed runs; median and p90 are reported.") var runs: Int = 20
    @Option(help: "Length of free (sequence) dims.") var seq: Int = 128
    @Option(help: "A second model timed in alternating blocks with REF (e.g. its int8 twin).") var versus: String?
    @Option(help: "Runs per block with --versus.") var block: Int = 10
    @Flag(help: "Print a JSON object.") var json = false

    func validate() throws {
        guard runs >= 1, runs <= 100_000 else { throw ValidationError("--runs must be in 1...100000") }
        guard seq >= 1, seq <= 4096 else { throw ValidationError("--seq must be in 1...4096") }
        guard block >= 1 else { throw ValidationError("--block must be at least 1") }
    }

    func run() throws {
        let pool = threading.makePool()
        let first = try TimedModel(ref, seq: seq, pool: pool)
        guard let versus else {
            try first.warmUp(runs: max(2, runs / 10))
            let times = try (0..<runs).map { _ in try first.timeOnce() }
            report(first, times)
            return
        }
        let second = try TimedModel(versus, seq: seq, pool: pool)
        try first.warmUp(runs: max(2, runs / 10))
        try second.warmUp(runs: max(2, runs / 10))
        var a: [Double] = [], b: [Double] = [], blockRatios: [Double] = []
        while a.count < runs {
            let n = min(block, runs - a.count)
            let ta = try (0..<n).map { _ in try first.timeOnce() }
            let tb = try (0..<n).map { _ in try second.timeOnce() }
            a += ta
            b += tb
            blockRatios.append(percentiles(ta).median / max(percentiles(tb).median, 1e-9))
        }
        let speedup = blockRatios.sorted()[blockRatios.count / 2]
        if json {
            let (ma, pa) = percentiles(a), (mb, pb) = percentiles(b)
            print(JSONLine([("model", .string(first.model.model)), ("variant", .string(first.model.variant)),
                            ("threads", .int(threading.threads)), ("runs", .int(runs)), ("median_ms", .double(ma)), ("p90_ms", .double(pa)),
                            ("versus_model", .string(second.model.model)), ("versus_variant", .string(second.model.variant)),
                            ("versus_median_ms", .double(mb)), ("versus_p90_ms", .double(pb)), ("block", .int(min(block, runs))),
                            ("speedup_median", .double(speedup))]).text)
        } else {
            report(first, a)
            report(second, b)
            print(String(format: "speedup %@ / %@: %.3f (median over %d blocks of %d runs)", first.name, second.name,
                         speedup, blockRatios.count, min(block, runs)))
        }
    }

    private func report(_ timed: TimedModel, _ times: [Double]) {
        let (median, p90) = percentiles(times)
        if json {
            print(JSONLine([("model", .string(timed.model.model)), ("variant", .string(timed.model.variant)), ("threads", .int(threading.threads)),
                            ("runs", .int(times.count)), ("median_ms", .double(median)), ("p90_ms", .double(p90))]).text)
        } else {
            let shapes = timed.inputs.keys.sorted().map { "\($0)\(timed.inputs[$0]?.shape.dims ?? [])" }.joined(separator: " ")
            print(String(format: "%@ threads=%d runs=%d: median %.3f ms, p90 %.3f ms", timed.name, threading.threads,
                         times.count, median, p90) + "  (\(shapes))")
        }
    }
}

/// A zoo model planned for random inputs in its range, ready to be timed.
private struct TimedModel {
    let model: ZooGraph
    let inputs: [String: Tensor]
    let plan: Plan

    init(_ ref: String, seq: Int, pool: ThreadPool) throws {
        model = try ZooGraph(ref, catalog: try ZooCatalog.bundled(), store: try ModelStore())
        inputs = try model.randomInputs(seq: seq)
        plan = try model.plan(for: inputs, pool: pool)
    }

    var name: String { model.model + (model.variant.isEmpty ? "" : ":" + model.variant) }

    func warmUp(runs: Int) throws {
        for _ in 0..<runs { _ = try plan.run(inputs: inputs) }
    }

    /// Seconds for one run.
    func timeOnce() throws -> Double {
        var failure: Error?
        let seconds = Stopwatch.time { do { _ = try plan.run(inputs: inputs) } catch { failure = error } }
        if let failure { throw failure }
        return seconds
    }
}
