import ArcaIR
import ArcaKernels
import ArcaTensor
import Foundation

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

    public var description: String {
        "\(quantizedConvolutions) convolutions and \(quantizedElementwise) adds and gates on uint8, \(byteOps) uint8 layout/pool ops, "
            + "\(quantizeNodes) quantize and \(dequantizeNodes) dequantize nodes, \(floatOps) float ops, \(equalizedPairs) equalized pairs, \(calibrationSamples) calibration inputs"
    }
}

extension Graph {
    /// Static int8 quantization for convolutional graphs, after the standard passes: the
    /// calibration set fixes one uint8 `QuantParams` per activation (its observed range, zero
    /// included); convolutions (groups 1) and depthwise convolutions (multiplier 1) with
    /// constant weights get int8 weights with one symmetric scale per output channel and run on
    /// uint8 activations; adds of two activations, and pools, resizes, means, pads, reshapes,
    /// concatenations of equally quantized values and depth-to-space, stay in uint8. Everything
    /// else stays float32 behind dequantize nodes; graph outputs stay float32 (convolutions
    /// that produce them dequantize in their epilogue).
    public func quantizedStaticInt8(calibration samples: [[String: Tensor]], threads: Int = 1) throws -> (graph: Graph, report: StaticQuantizationReport) {
        let (g, pairs) = try optimized().equalizedForQuantization(samples, threads: threads)
        let ranges = try g.calibrate(samples, threads: threads)
        let minimum = Int(ProcessInfo.processInfo.environment["ARCA_QMIN_PIXELS"] ?? "") ?? 0
        var q = StaticQuantizer(source: g, ranges: ranges, minimumPixels: minimum)
        var out = try q.run()
        out.eliminateDeadCode()
        try out.inferShapes()
        try out.verify()
        var report = q.report
        report.calibrationSamples = samples.count
        report.equalizedPairs = pairs
        return (out, report)
    }
}
