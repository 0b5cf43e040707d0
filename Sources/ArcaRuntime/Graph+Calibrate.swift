import ArcaIR
import ArcaKernels
import ArcaTensor

/// What each float32 value of a graph took over a calibration set, by value id.
public struct CalibrationRanges: Sendable {
    /// Observed minimum and maximum.
    public var ranges: [ValueID: (min: Float, max: Float)]
    /// Histograms over those ranges (a second pass over the inputs).
    public var histograms: [ValueID: CalibrationHistogram]
    /// How many input sets were run.
    public var samples: Int

    /// The quantization of value `id` by `method`: the observed range, or the range with the
    /// least squared error over the observed values (``CalibrationHistogram/bestParams``).
    public func params(_ id: ValueID, _ method: StaticQuantizationOptions.Ranges) -> QuantParams {
        if method == .leastSquares, let h = histograms[id] { return h.bestParams }
        let r = ranges[id] ?? (0, 0)
        return QuantParams(range: r.min, r.max)
    }
}

extension Graph {
    /// Runs the graph twice over the input sets: once for every float32 value's minimum and
    /// maximum (NaNs ignored), once for its histogram over that range. The graph must be the one
    /// that will be quantized (same value ids).
    public func calibrate(_ samples: [[String: Tensor]], threads: Int = 1) throws -> CalibrationRanges {
        var observed: [ValueID] = inputs.filter { values[$0].dtype == .float32 }
        for node in nodes { observed += node.outputs }
        var observer = ValueObserver(self, observing: observed, threads: threads)
        var ranges: [ValueID: (min: Float, max: Float)] = [:]
        try observer.run(samples) { id, t in
            guard t.dtype == .float32 else { return }
            var (lo, hi) = ranges[id] ?? (.infinity, -.infinity)
            for v in t.floats() where v.isFinite { lo = Swift.min(lo, v); hi = Swift.max(hi, v) }
            ranges[id] = (lo, hi)
        }
        var histograms: [ValueID: CalibrationHistogram] = [:]
        for (id, r) in ranges where r.min <= r.max { histograms[id] = CalibrationHistogram(lo: r.min, hi: r.max) }
        try observer.run(samples) { id, t in if t.dtype == .float32 { histograms[id]?.add(t.floats()) } }
        return CalibrationRanges(ranges: ranges, histograms: histograms, samples: samples.count)
    }
}

/// Per-channel sums of tensors seen value by value (channels on the last axis; NaNs skipped).
struct ChannelMeans {
    private var sums: [ValueID: [Double]] = [:]
    private var counts: [ValueID: [Int]] = [:]

    mutating func add(_ id: ValueID, _ x: [Float], channels c: Int) {
        guard c > 0, x.count % c == 0 else { return }
        var s = sums[id] ?? [Double](repeating: 0, count: c), n = counts[id] ?? [Int](repeating: 0, count: c)
        guard s.count == c else { return }
        var i = 0
        for _ in 0..<(x.count / c) {
            for ch in 0..<c {
                let v = x[i]
                i += 1
                if v.isNaN { continue }
                s[ch] += Double(v)
                n[ch] += 1
            }
        }
        sums[id] = s
        counts[id] = n
    }

    var means: [ValueID: [Double]] {
        sums.reduce(into: [:]) { r, e in r[e.key] = zip(e.value, counts[e.key] ?? []).map { $1 > 0 ? $0 / Double($1) : 0 } }
    }
}

/// Runs a graph with chosen values as its outputs, so passes can see intermediate tensors
/// (one plan per distinct input shape, reused across samples).
struct ValueObserver {
    private var graph: Graph
    private let source: Graph
    private let ids: [ValueID]
    private let threads: Int
    private var plans: [[Int]: Plan] = [:]

    init(_ g: Graph, observing ids: [ValueID], threads: Int) {
        source = g
        graph = g
        self.ids = ids
        self.threads = threads
        for (i, id) in ids.enumerated() { graph.values[id].name = "observed.\(i)" }
        graph.outputs = ids
    }

    /// Calls `body(id, tensor)` for every observed value of every sample, in sample order.
    mutating func run(_ samples: [[String: Tensor]], _ body: (ValueID, Tensor) throws -> Void) throws {
        for sample in samples {
            var named: [String: Tensor] = [:], shapes: [String: [Int]] = [:]
            for id in graph.inputs {
                let original = source.values[id].name
                guard let t = sample[original] else { throw PlanError.missingInput(original) }
                named[graph.values[id].name] = t
                shapes[graph.values[id].name] = t.shape.dims
            }
            let key = graph.inputs.flatMap { shapes[graph.values[$0].name] ?? [] }
            let plan = try plans[key] ?? Plan(graph: graph, inputShapes: shapes, threads: threads)
            plans[key] = plan
            let outputs = try plan.run(inputs: named)
            for (i, id) in ids.enumerated() {
                if let t = outputs["observed.\(i)"] { try body(id, t) }
            }
        }
    }
}
