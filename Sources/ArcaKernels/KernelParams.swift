/// Parameters of the convolution-family and layout kernels.
///
/// Layouts are fixed and stated here once: activations are NHWC, conv weights
/// OHWI (`[outC, kH, kW, inC / groups]`), depthwise weights `[kH, kW, outC]`
/// with `outC = inC * multiplier`, transposed-conv weights `[outC, kH, kW, inC]`
/// (TFLite's layout). Padding is explicit; importers resolve SAME/VALID.

/// 2-D convolution over NHWC input.
public struct Conv2DParams: Sendable, Hashable {
    public var batch: Int
    public var inH: Int, inW: Int, inC: Int
    public var outC: Int
    public var kH: Int, kW: Int
    public var strideH: Int = 1, strideW: Int = 1
    public var dilationH: Int = 1, dilationW: Int = 1
    public var padTop: Int = 0, padLeft: Int = 0, padBottom: Int = 0, padRight: Int = 0
    public var groups: Int = 1

    public init(batch: Int, inH: Int, inW: Int, inC: Int, outC: Int, kH: Int, kW: Int,
                strideH: Int = 1, strideW: Int = 1, dilationH: Int = 1, dilationW: Int = 1,
                padTop: Int = 0, padLeft: Int = 0, padBottom: Int = 0, padRight: Int = 0, groups: Int = 1) {
        self.batch = batch; self.inH = inH; self.inW = inW; self.inC = inC; self.outC = outC
        self.kH = kH; self.kW = kW; self.strideH = strideH; self.strideW = strideW
        self.dilationH = dilationH; self.dilationW = dilationW
        self.padTop = padTop; self.padLeft = padLeft; self.padBottom = padBottom; self.padRight = padRight
        self.groups = groups
    }

    public var outH: Int { (inH + padTop + padBottom - dilationH * (kH - 1) - 1) / strideH + 1 }
    public var outW: Int { (inW + padLeft + padRight - dilationW * (kW - 1) - 1) / strideW + 1 }
    /// Input channels each output channel sees.
    public var groupInC: Int { inC / groups }
    public var groupOutC: Int { outC / groups }

    /// True when every size is positive, groups divide the channels and the output is non-empty.
    public var isValid: Bool {
        batch > 0 && inH > 0 && inW > 0 && inC > 0 && outC > 0 && kH > 0 && kW > 0 &&
            strideH > 0 && strideW > 0 && dilationH > 0 && dilationW > 0 &&
            padTop >= 0 && padLeft >= 0 && padBottom >= 0 && padRight >= 0 &&
            groups > 0 && inC % groups == 0 && outC % groups == 0 && outH > 0 && outW > 0
    }

    /// SAME padding as TFLite/TensorFlow computes it (extra padding at the end).
    public static func samePadding(input: Int, kernel: Int, stride: Int, dilation: Int) -> (Int, Int) {
        let effective = (kernel - 1) * dilation + 1
        let out = (input + stride - 1) / stride
        let total = max(0, (out - 1) * stride + effective - input)
        return (total / 2, total - total / 2)
    }
}

/// Depthwise 2-D convolution: output channel `c` reads input channel `c / multiplier`.
public struct DepthwiseConv2DParams: Sendable, Hashable {
    public var batch: Int
    public var inH: Int, inW: Int, inC: Int
    public var multiplier: Int = 1
    public var kH: Int, kW: Int
    public var strideH: Int = 1, strideW: Int = 1
    public var dilationH: Int = 1, dilationW: Int = 1
    public var padTop: Int = 0, padLeft: Int = 0, padBottom: Int = 0, padRight: Int = 0

    public init(batch: Int, inH: Int, inW: Int, inC: Int, multiplier: Int = 1, kH: Int, kW: Int,
                strideH: Int = 1, strideW: Int = 1, dilationH: Int = 1, dilationW: Int = 1,
                padTop: Int = 0, padLeft: Int = 0, padBottom: Int = 0, padRight: Int = 0) {
        self.batch = batch; self.inH = inH; self.inW = inW; self.inC = inC; self.multiplier = multiplier
        self.kH = kH; self.kW = kW; self.strideH = strideH; self.strideW = strideW
        self.dilationH = dilationH; self.dilationW = dilationW
        self.padTop = padTop; self.padLeft = padLeft; self.padBottom = padBottom; self.padRight = padRight
    }

    public var outC: Int { inC * multiplier }
    public var outH: Int { (inH + padTop + padBottom - dilationH * (kH - 1) - 1) / strideH + 1 }
    public var outW: Int { (inW + padLeft + padRight - dilationW * (kW - 1) - 1) / strideW + 1 }
    public var isValid: Bool {
        batch > 0 && inH > 0 && inW > 0 && inC > 0 && multiplier > 0 && kH > 0 && kW > 0 &&
            strideH > 0 && strideW > 0 && dilationH > 0 && dilationW > 0 &&
            padTop >= 0 && padLeft >= 0 && padBottom >= 0 && padRight >= 0 && outH > 0 && outW > 0
    }
}

/// Transposed 2-D convolution (the gradient of conv2d w.r.t. its input).
/// Output pixel `(oy, ox)` receives input `(iy, ix)` through tap `(ky, kx)` when
/// `oy = iy * strideH + ky - padTop` and `ox = ix * strideW + kx - padLeft`.
public struct TransposeConv2DParams: Sendable, Hashable {
    public var batch: Int
    public var inH: Int, inW: Int, inC: Int
    public var outH: Int, outW: Int, outC: Int
    public var kH: Int, kW: Int
    public var strideH: Int = 1, strideW: Int = 1
    public var padTop: Int = 0, padLeft: Int = 0

    public init(batch: Int, inH: Int, inW: Int, inC: Int, outH: Int, outW: Int, outC: Int,
                kH: Int, kW: Int, strideH: Int = 1, strideW: Int = 1, padTop: Int = 0, padLeft: Int = 0) {
        self.batch = batch; self.inH = inH; self.inW = inW; self.inC = inC
        self.outH = outH; self.outW = outW; self.outC = outC; self.kH = kH; self.kW = kW
        self.strideH = strideH; self.strideW = strideW; self.padTop = padTop; self.padLeft = padLeft
    }

    public var isValid: Bool {
        batch > 0 && inH > 0 && inW > 0 && inC > 0 && outH > 0 && outW > 0 && outC > 0 &&
            kH > 0 && kW > 0 && strideH > 0 && strideW > 0 && padTop >= 0 && padLeft >= 0
    }
}

/// Max or average pooling over NHWC input.
public struct Pool2DParams: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case max, average }
    public var kind: Kind
    public var batch: Int
    public var inH: Int, inW: Int, channels: Int
    public var kH: Int, kW: Int
    public var strideH: Int = 1, strideW: Int = 1
    public var padTop: Int = 0, padLeft: Int = 0, padBottom: Int = 0, padRight: Int = 0
    /// Average pooling divides by the full window when true, by the in-bounds taps otherwise (TFLite, ONNX default).
    public var countIncludePad: Bool = false

    public init(kind: Kind, batch: Int, inH: Int, inW: Int, channels: Int, kH: Int, kW: Int,
                strideH: Int = 1, strideW: Int = 1, padTop: Int = 0, padLeft: Int = 0,
                padBottom: Int = 0, padRight: Int = 0, countIncludePad: Bool = false) {
        self.kind = kind; self.batch = batch; self.inH = inH; self.inW = inW; self.channels = channels
        self.kH = kH; self.kW = kW; self.strideH = strideH; self.strideW = strideW
        self.padTop = padTop; self.padLeft = padLeft; self.padBottom = padBottom; self.padRight = padRight
        self.countIncludePad = countIncludePad
    }

    public var outH: Int { (inH + padTop + padBottom - kH) / strideH + 1 }
    public var outW: Int { (inW + padLeft + padRight - kW) / strideW + 1 }
    public var isValid: Bool {
        batch > 0 && inH > 0 && inW > 0 && channels > 0 && kH > 0 && kW > 0 && strideH > 0 && strideW > 0 &&
            padTop >= 0 && padLeft >= 0 && padBottom >= 0 && padRight >= 0 && outH > 0 && outW > 0
    }
}

/// Bilinear resize of NHWC images.
public struct ResizeParams: Sendable, Hashable {
    public enum CoordinateMode: String, Sendable, Hashable {
        /// `src = dst * in / out` (TFLite default).
        case asymmetric
        /// `src = dst * (in - 1) / (out - 1)`.
        case alignCorners
        /// `src = (dst + 0.5) * in / out - 0.5`, clamped at 0 (TFLite `half_pixel_centers`, ONNX `half_pixel`).
        case halfPixel
    }
    public var batch: Int
    public var inH: Int, inW: Int, channels: Int
    public var outH: Int, outW: Int
    public var mode: CoordinateMode

    public init(batch: Int, inH: Int, inW: Int, channels: Int, outH: Int, outW: Int, mode: CoordinateMode) {
        self.batch = batch; self.inH = inH; self.inW = inW; self.channels = channels
        self.outH = outH; self.outW = outW; self.mode = mode
    }

    public var isValid: Bool { batch > 0 && inH > 0 && inW > 0 && channels > 0 && outH > 0 && outW > 0 }
}

/// Elementwise binary operations (numpy broadcasting).
public enum BinaryOp: String, Sendable, Hashable, CaseIterable, Codable {
    case add, sub, mul, div, max, min, pow

    @inline(__always)
    public func apply(_ a: Float, _ b: Float) -> Float {
        switch self {
        case .add: a + b
        case .sub: a - b
        case .mul: a * b
        case .div: a / b
        case .max: Swift.max(a, b)
        case .min: Swift.min(a, b)
        case .pow: powf(a, b)
        }
    }
}

/// Elementwise unary operations.
public enum UnaryOp: String, Sendable, Hashable, CaseIterable, Codable {
    case relu, relu6, reluN1To1, sigmoid, tanh, hardSwish, gelu, exp, erf, neg, abs, sqrt, rsqrt, log, square
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
