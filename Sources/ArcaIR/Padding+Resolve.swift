/// Padding amounts in pixels on each side of an image.
public struct ExplicitPadding: Sendable, Hashable {
    public var top: Int, left: Int, bottom: Int, right: Int

    public init(top: Int, left: Int, bottom: Int, right: Int) {
        self.top = top; self.left = left; self.bottom = bottom; self.right = right
    }

    public static let zero = ExplicitPadding(top: 0, left: 0, bottom: 0, right: 0)
}

extension Padding {
    /// TensorFlow SAME padding along one axis: output `ceil(input / stride)`, the odd pixel after.
    public static func same(input: Int, kernel: Int, stride: Int, dilation: Int = 1) -> (before: Int, after: Int) {
        let effective = (kernel - 1) * dilation + 1
        let out = (input + stride - 1) / stride
        let total = max(0, (out - 1) * stride + effective - input)
        return (total / 2, total - total / 2)
    }

    /// Explicit pads for a convolution or pooling window over an `inH x inW` image.
    /// Preconditions: sizes, strides and dilations are positive (the verifier checks them).
    public func resolved(inH: Int, inW: Int, kernelH: Int, kernelW: Int,
                         strideH: Int, strideW: Int, dilationH: Int = 1, dilationW: Int = 1) -> ExplicitPadding {
        switch self {
        case .valid: return .zero
        case .explicit(let t, let l, let b, let r): return ExplicitPadding(top: t, left: l, bottom: b, right: r)
        case .same:
            let h = Padding.same(input: inH, kernel: kernelH, stride: strideH, dilation: dilationH)
            let w = Padding.same(input: inW, kernel: kernelW, stride: strideW, dilation: dilationW)
            return ExplicitPadding(top: h.before, left: w.before, bottom: h.after, right: w.after)
        }
    }

    /// Explicit pads of a transposed convolution (the pads of the forward conv it inverts).
    /// `.same` gives output `in * stride`, `.valid` gives `(in - 1) * stride + k`.
    public func resolvedTransposed(inH: Int, inW: Int, kernelH: Int, kernelW: Int,
                                   strideH: Int, strideW: Int) -> ExplicitPadding {
        switch self {
        case .valid: return .zero
        case .explicit(let t, let l, let b, let r): return ExplicitPadding(top: t, left: l, bottom: b, right: r)
        case .same:
            let th = max(0, (inH - 1) * strideH + kernelH - inH * strideH)
            let tw = max(0, (inW - 1) * strideW + kernelW - inW * strideW)
            return ExplicitPadding(top: th / 2, left: tw / 2, bottom: th - th / 2, right: tw - tw / 2)
        }
    }

    var hasNegative: Bool {
        if case .explicit(let t, let l, let b, let r) = self { return t < 0 || l < 0 || b < 0 || r < 0 }
        return false
    }
}

/// Output size of a window op along one axis; -1 if the input size is unknown.
@inline(__always)
func windowOutput(_ input: Int, kernel: Int, stride: Int, dilation: Int, padBefore: Int, padAfter: Int) -> Int {
    if input < 0 { return -1 }
    let span = input + padBefore + padAfter - dilation * (kernel - 1) - 1
    return span < 0 ? 0 : span / stride + 1
}

extension Graph {
    /// Rewrites every `.same`/`.valid` padding into `.explicit` for the current (concrete) shapes.
    /// Run ``inferShapes(inputShapes:)`` first; nodes with unknown spatial sizes are left alone.
    public mutating func resolvePaddings() {
        for i in nodes.indices {
            guard let x = nodes[i].inputs.first, values.indices.contains(x), values[x].shape.count == 4 else { continue }
            let s = values[x].shape
            let (h, w) = (s[1], s[2])
            guard h >= 0, w >= 0 else { continue }
            func kernel(_ at: Int, _ dims: (Int, Int)) -> (Int, Int)? {
                guard nodes[i].inputs.count > at, values.indices.contains(nodes[i].inputs[at]) else { return nil }
                let ws = values[nodes[i].inputs[at]].shape
                guard ws.count > max(dims.0, dims.1) else { return nil }
                return (ws[dims.0], ws[dims.1])
            }
            switch nodes[i].op {
            case .conv2d(var a):
                guard let (kh, kw) = kernel(1, (1, 2)) else { continue }
                let p = a.padding.resolved(inH: h, inW: w, kernelH: kh, kernelW: kw, strideH: a.strideH, strideW: a.strideW,
                                           dilationH: a.dilationH, dilationW: a.dilationW)
                a.padding = .explicit(top: p.top, left: p.left, bottom: p.bottom, right: p.right)
                nodes[i].op = .conv2d(a)
            case .depthwiseConv2d(var a):
                guard let (kh, kw) = kernel(1, (0, 1)) else { continue }
                let p = a.padding.resolved(inH: h, inW: w, kernelH: kh, kernelW: kw, strideH: a.strideH, strideW: a.strideW,
                                           dilationH: a.dilationH, dilationW: a.dilationW)
                a.padding = .explicit(top: p.top, left: p.left, bottom: p.bottom, right: p.right)
                nodes[i].op = .depthwiseConv2d(a)
            case .transposeConv2d(var a):
                guard let (kh, kw) = kernel(1, (1, 2)) else { continue }
                let p = a.padding.resolvedTransposed(inH: h, inW: w, kernelH: kh, kernelW: kw, strideH: a.strideH, strideW: a.strideW)
                a.padding = .explicit(top: p.top, left: p.left, bottom: p.bottom, right: p.right)
                nodes[i].op = .transposeConv2d(a)
            case .pool2d(var a):
                let p = a.padding.resolved(inH: h, inW: w, kernelH: a.kernelH, kernelW: a.kernelW, strideH: a.strideH, strideW: a.strideW)
                a.padding = .explicit(top: p.top, left: p.left, bottom: p.bottom, right: p.right)
                nodes[i].op = .pool2d(a)
            default: continue
            }
        }
    }
}
