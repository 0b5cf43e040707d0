import ArcaIR
import ArcaRuntime

/// A per-layer refinement of the static int8 choice: quantize more than a pixel threshold
/// allows by keeping float only the layers that cost the most accuracy on their own.
extension ZooStaticQuantization {
    /// The share of a graph's convolution multiply-adds (regular and depthwise) that run on uint8.
    public static func int8Share(_ g: Graph) -> Double {
        var total = 0.0, quantized = 0.0
        for node in g.nodes {
            // Weights: convolutions [outC, kH, kW, inC], depthwise [kH, kW, C] (int8 the same).
            let (quantized8, depthwise): (Bool, Bool)
            switch node.op {
            case .conv2d: (quantized8, depthwise) = (false, false)
            case .quantizedConv2d: (quantized8, depthwise) = (true, false)
            case .depthwiseConv2d: (quantized8, depthwise) = (false, true)
            case .quantizedDepthwiseConv2d: (quantized8, depthwise) = (true, true)
            default: continue
            }
            guard node.inputs.count > 1, let w = g.constants[node.inputs[1]], let channels = depthwise ? w.shape.dims.last : w.shape.dims.first,
                  channels > 0 else { continue }
            let macs = Double(g.values[node.outputs[0]].shape.reduce(1, *)) * Double(w.count / channels)
            total += macs
            if quantized8 { quantized += macs }
        }
        return total > 0 ? quantized / total : 0
    }

    /// How far an agreement is from the float model, one number for ranking: faces lost or added
    /// first, then the worst box and the masks, each against its budget bound.
    static func error(_ a: VisionAgreement) -> Double {
        10 * Double(a.unmatchedFaces) + Double(a.worstBox) / 0.025 + Double(a.worstScore) / 0.1 + a.meanMask / 0.03 + a.worstMask / 0.15
    }

    /// From `choice` (within budget), tries the most quantized options of its ranges (every
    /// layer, heads float) with the `k` layers most sensitive alone kept float, for the
    /// smallest `k` within budget (doubling, then bisecting); the result if it runs a larger
    /// share of multiply-adds on uint8, else nil. Each layer is probed by quantizing it alone.
    static func refine(_ choice: Choice, calibration: StaticCalibration,
                       compare: (Graph) throws -> VisionAgreement) throws -> Choice? {
        let base = StaticQuantizationOptions(minimumPixels: 0, ranges: choice.options.ranges, floatHeads: true, biasCorrection: choice.options.biasCorrection)
        let g = calibration.graph
        var sensitivity: [(node: Int, error: Double)] = []
        for (i, node) in g.nodes.enumerated() {
            switch node.op {
            case .conv2d, .depthwiseConv2d: break
            default: continue
            }
            var probe = base
            probe.onlyNodes = [i]
            let (q, report) = try calibration.quantized(probe)
            guard report.quantizedConvolutions > 0 else { continue }
            sensitivity.append((i, error(try compare(q))))
        }
        let ranked = sensitivity.sorted { $0.error > $1.error }.map(\.node)
        let share = int8Share(choice.graph)
        var tried = choice.tried
        var evaluated: [Int: Choice] = [:]
        func attempt(_ k: Int) throws -> Choice {
            if let c = evaluated[k] { return c }
            var options = base
            options.floatNodes = Set(ranked.prefix(k))
            let (q, report) = try calibration.quantized(options)
            let agreement = try compare(q)
            tried.append((options, agreement))
            let c = Choice(graph: q, options: options, report: report, agreement: agreement)
            evaluated[k] = c
            return c
        }
        // Doubling until within budget, then bisecting for the smallest such k.
        var hi = 1
        while hi < ranked.count, !(try attempt(hi)).agreement.withinBudget { hi *= 2 }
        hi = min(hi, ranked.count)
        guard try attempt(hi).agreement.withinBudget else { return nil }
        var lo = hi / 2
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if try attempt(mid).agreement.withinBudget { hi = mid } else { lo = mid }
        }
        var best = try attempt(hi)
        guard int8Share(best.graph) > share else { return nil }
        best.tried = tried
        return best
    }
}
