import ArcaIR
import ArcaTensor
import ArcaKernels

/// Kernel parameters from an op and concrete shapes (shared by the plan and the reference evaluator).
/// Preconditions: the graph was shape-inferred, so ranks and channel counts agree.
enum Lowering {
    static func activation(_ a: FusedActivation) -> Activation {
        switch a {
        case .none: .none
        case .relu: .relu
        case .relu6: .relu6
        case .reluN1To1: .reluN1To1
        case .sigmoid: .sigmoid
        case .tanh: .tanh
        case .hardSwish: .hardSwish
        case .gelu: .gelu
        }
    }

    static func conv2d(_ a: Conv2DAttributes, x: [Int], w: [Int]) -> Conv2DParams {
        let p = a.padding.resolved(inH: x[1], inW: x[2], kernelH: w[1], kernelW: w[2], strideH: a.strideH, strideW: a.strideW,
                                   dilationH: a.dilationH, dilationW: a.dilationW)
        return Conv2DParams(batch: x[0], inH: x[1], inW: x[2], inC: x[3], outC: w[0], kH: w[1], kW: w[2],
                            strideH: a.strideH, strideW: a.strideW, dilationH: a.dilationH, dilationW: a.dilationW,
                            padTop: p.top, padLeft: p.left, padBottom: p.bottom, padRight: p.right, groups: a.groups)
    }

    static func depthwise(_ a: DepthwiseConv2DAttributes, x: [Int], w: [Int]) -> DepthwiseConv2DParams {
        let p = a.padding.resolved(inH: x[1], inW: x[2], kernelH: w[0], kernelW: w[1], strideH: a.strideH, strideW: a.strideW,
                                   dilationH: a.dilationH, dilationW: a.dilationW)
        return DepthwiseConv2DParams(batch: x[0], inH: x[1], inW: x[2], inC: x[3], multiplier: a.multiplier, kH: w[0], kW: w[1],
                                     strideH: a.strideH, strideW: a.strideW, dilationH: a.dilationH, dilationW: a.dilationW,
                                     padTop: p.top, padLeft: p.left, padBottom: p.bottom, padRight: p.right)
    }

    static func transposeConv(_ a: TransposeConv2DAttributes, x: [Int], w: [Int], out: [Int]) -> TransposeConv2DParams {
        let p = a.padding.resolvedTransposed(inH: x[1], inW: x[2], kernelH: w[1], kernelW: w[2], strideH: a.strideH, strideW: a.strideW)
        return TransposeConv2DParams(batch: x[0], inH: x[1], inW: x[2], inC: x[3], outH: out[1], outW: out[2], outC: w[0],
                                     kH: w[1], kW: w[2], strideH: a.strideH, strideW: a.strideW, padTop: p.top, padLeft: p.left)
    }

    static func pool(_ a: Pool2DAttributes, x: [Int]) -> Pool2DParams {
        let p = a.padding.resolved(inH: x[1], inW: x[2], kernelH: a.kernelH, kernelW: a.kernelW, strideH: a.strideH, strideW: a.strideW)
        return Pool2DParams(kind: a.kind == .max ? .max : .average, batch: x[0], inH: x[1], inW: x[2], channels: x[3],
                            kH: a.kernelH, kW: a.kernelW, strideH: a.strideH, strideW: a.strideW,
                            padTop: p.top, padLeft: p.left, padBottom: p.bottom, padRight: p.right)
    }

    static func resize(_ a: ResizeAttributes, x: [Int]) -> ResizeParams {
        let mode: ResizeParams.CoordinateMode = switch a.mode {
        case .asymmetric: .asymmetric
        case .alignCorners: .alignCorners
        case .halfPixel: .halfPixel
        }
        return ResizeParams(batch: x[0], inH: x[1], inW: x[2], channels: x[3], outH: a.outH, outW: a.outW, mode: mode)
    }

    static func normalizedAxis(_ a: Int, rank: Int) -> Int { a < 0 ? a + rank : a }

    /// `[outer, axis, inner]` split of a shape around `axis`.
    static func split(_ s: [Int], axis: Int) -> (Int, Int, Int) {
        (s[..<axis].reduce(1, *), s[axis], s[(axis + 1)...].reduce(1, *))
    }

    /// Strides (in elements) of `s` broadcast to `out`: 0 where the dim is broadcast.
    static func broadcastStrides(_ s: [Int], to out: [Int]) -> [Int] {
        let pad = out.count - s.count
        let cs = s.isEmpty ? [] : Shape(s).contiguousStrides
        return out.indices.map { i in i < pad || s[i - pad] == 1 ? 0 : cs[i - pad] }
    }
}
