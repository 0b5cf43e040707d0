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
        var g = self
        var observed: [ValueID] = []
        for id in g.inputs where g.values[id].dtype == .float32 { observed.append(id) }
        for node in g.nodes { observed += node.outputs }
        for (i, id) in observed.enumerated() { g.values[id].name = "calibration.\(i)" }
        g.outputs = observed
        var plans: [[Int]: Plan] = [:]
        func forEachOutput(_ body: (ValueID, [Float]) -> Void) throws {
            for sample in samples {
                var named: [String: Tensor] = [:]
                var shapes: [String: [Int]] = [:]
                for id in g.inputs {
                    let original = values[id].name
                    guard let t = sample[original] else { throw PlanError.missingInput(original) }
                    named[g.values[id].name] = t
                    shapes[g.values[id].name] = t.shape.dims
                }
                let key = g.inputs.flatMap { shapes[g.values[$0].name] ?? [] }
                let plan = try plans[key] ?? Plan(graph: g, inputShapes: shapes, threads: threads)
                plans[key] = plan
                let outputs = try plan.run(inputs: named)
                for (i, id) in observed.enumerated() {
                    guard let t = outputs["calibration.\(i)"], t.dtype == .float32 else { continue }
                    body(id, t.floats())
                }
            }
        }
        var ranges: [ValueID: (min: Float, max: Float)] = [:]
        try forEachOutput { id, values in
            var (lo, hi) = ranges[id] ?? (.infinity, -.infinity)
            for v in values where v.isFinite { lo = Swift.min(lo, v); hi = Swift.max(hi, v) }
            ranges[id] = (lo, hi)
        }
        var histograms: [ValueID: CalibrationHistogram] = [:]
        for (id, r) in ranges where r.min <= r.max { histograms[id] = CalibrationHistogram(lo: r.min, hi: r.max) }
        try forEachOutput { id, values in histograms[id]?.add(values) }
        return CalibrationRanges(ranges: ranges, histograms: histograms, samples: samples.count)
    }
}
