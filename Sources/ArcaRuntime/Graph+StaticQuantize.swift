import ArcaIR
import ArcaKernels
import ArcaTensor

/// What ``Graph/quantizedStaticInt8(calibration:threads:)`` did.
public struct StaticQuantizationReport: Sendable, CustomStringConvertible {
    /// Convolutions and depthwise convolutions now running on uint8 activations.
    public var quantizedConvolutions = 0
    /// Adds of two activations and per-channel gates (squeeze-and-excitation) on uint8.
    public var quantizedElementwise = 0
    /// Ops that move or pool uint8 values unchanged in their quantization.
    public var byteOps = 0
    public var quantizeNodes = 0
    public var dequantizeNodes = 0
    /// Ops left in float32.
    public var floatOps = 0
    public var calibrationSamples = 0
    /// Convolution pairs rescaled before calibration (``Graph/equalizedForQuantization(_:threads:)``).
    public var equalizedPairs = 0
    /// uint8 convolutions whose biases were corrected (``StaticCalibration/correctingBiases(_:)``).
    public var biasCorrected = 0

    public var description: String {
        "\(quantizedConvolutions) convolutions and \(quantizedElementwise) adds and gates on uint8, \(byteOps) uint8 layout/pool ops, "
            + "\(quantizeNodes) quantize and \(dequantizeNodes) dequantize nodes, \(floatOps) float ops, \(equalizedPairs) equalized pairs, \(biasCorrected) biases corrected, \(calibrationSamples) calibration inputs"
    }
}

/// Choices of ``Graph/quantizedStaticInt8(calibration:threads:options:)``.
public struct StaticQuantizationOptions: Sendable, Hashable, CustomStringConvertible {
    /// How an activation's uint8 range is chosen from its calibration values.
    public enum Ranges: String, Sendable, Hashable {
        /// The observed minimum and maximum.
        case minMax = "min-max"
        /// The range with the least squared quantization error (``CalibrationHistogram/bestParams``).
        case leastSquares = "least-squares"
    }

    /// Convolutions and elementwise ops with fewer output pixels (H·W) stay float32: deep, small
    /// layers cost little and carry the widest, most outlier-heavy activations.
    public var minimumPixels: Int
    public var ranges: Ranges
    /// Heads stay float32: the ops whose outputs reach a graph output through layout ops alone
    /// (reshape, concat, transpose, depth-to-space): they are cheap and turn features into boxes
    /// and scores.
    public var floatHeads: Bool
    /// Nodes (indices in the calibrated graph, ``StaticCalibration/graph``) that stay float32
    /// besides those the rules above keep: the layers a sensitivity search found too sensitive.
    public var floatNodes: Set<Int>
    /// When set, only these nodes may run on uint8 (a sensitivity probe of single layers).
    public var onlyNodes: Set<Int>?
    /// Bias correction after quantizing (``StaticCalibration/correctingBiases(_:)``): the biases
    /// of uint8 convolutions shift so that their outputs' per-channel means over the calibration
    /// inputs match the float graph's.
    public var biasCorrection: Bool

    public init(minimumPixels: Int = 0, ranges: Ranges = .leastSquares, floatHeads: Bool = false,
                floatNodes: Set<Int> = [], onlyNodes: Set<Int>? = nil, biasCorrection: Bool = false) {
        self.minimumPixels = minimumPixels
        self.ranges = ranges
        self.floatHeads = floatHeads
        self.floatNodes = floatNodes
        self.onlyNodes = onlyNodes
        self.biasCorrection = biasCorrection
    }

    public var description: String {
        "\(ranges.rawValue) ranges, layers of at least \(minimumPixels) pixels" + (floatHeads ? ", float heads" : "")
            + (biasCorrection ? ", bias corrected" : "")
            + (floatNodes.isEmpty ? "" : ", \(floatNodes.count) most sensitive layers float")
            + (onlyNodes.map { ", only \($0.count) layers" } ?? "")
    }
}

/// A graph prepared for static quantization: optimized, equalized and calibrated once, then
/// quantized under any ``StaticQuantizationOptions``.
public struct StaticCalibration: Sendable {
    /// The float graph the quantized ones derive from (same function as the source).
    public let graph: Graph
    public let ranges: CalibrationRanges
    public let equalizedPairs: Int
    /// The calibration inputs (bias correction runs the quantized graph on them).
    public let samples: [[String: Tensor]]
    public let threads: Int

    public func quantized(_ options: StaticQuantizationOptions) throws -> (graph: Graph, report: StaticQuantizationReport) {
        var q = StaticQuantizer(source: graph, ranges: ranges, options: options)
        var out = try q.run()
        out.eliminateDeadCode()
        try out.inferShapes()
        try out.verify()
        var report = q.report
        if options.biasCorrection {
            (out, report.biasCorrected) = try correctingBiases(out)
            out.eliminateDeadCode()
            try out.verify()
        }
        report.calibrationSamples = ranges.samples
        report.equalizedPairs = equalizedPairs
        return (out, report)
    }
}

extension Graph {
    /// Static int8 quantization for convolutional graphs, after the standard passes and
    /// cross-layer equalization (``equalizedForQuantization(_:threads:)``): the calibration set
    /// fixes one uint8 `QuantParams` per activation (zero included); convolutions (groups 1)
    /// and depthwise convolutions (multiplier 1) with constant weights get int8 weights with one
    /// symmetric scale per output channel and run on uint8 activations; adds of two activations
    /// and per-channel gates too; pools, resizes, means, pads, reshapes, concatenations of
    /// equally quantized values and depth-to-space pass uint8 through. Everything else stays
    /// float32 behind dequantize nodes; graph outputs stay float32 (convolutions that produce
    /// them dequantize in their epilogue).
    public func quantizedStaticInt8(calibration samples: [[String: Tensor]], threads: Int = 1,
                                    options: StaticQuantizationOptions = StaticQuantizationOptions()) throws -> (graph: Graph, report: StaticQuantizationReport) {
        try staticCalibration(samples, threads: threads).quantized(options)
    }

    /// The optimized, equalized graph and its calibration ranges.
    public func staticCalibration(_ samples: [[String: Tensor]], threads: Int = 1) throws -> StaticCalibration {
        let (g, pairs) = try optimized().equalizedForQuantization(samples, threads: threads)
        return StaticCalibration(graph: g, ranges: try g.calibrate(samples, threads: threads), equalizedPairs: pairs,
                                 samples: samples, threads: threads)
    }
}
