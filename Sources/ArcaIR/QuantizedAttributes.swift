/// Affine uint8 quantization of a tensor: `real = scale · (q − zeroPoint)`, `q` in 0...255.
///
/// Activations of statically quantized graphs are uint8 with one `QuantParams` per tensor
/// (chosen from calibration ranges); weights are int8, symmetric, one scale per output channel.
public struct QuantParams: Sendable, Hashable, Codable {
    public var scale: Float
    public var zeroPoint: Int

    public init(scale: Float, zeroPoint: Int) {
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    /// Parameters whose 256 steps cover `[min(lo, 0), max(hi, 0)]`: zero is exactly representable
    /// (padding and ReLU floors are exact). A degenerate range gets scale 1/255 around zero.
    public init(range lo: Float, _ hi: Float) {
        let lo = Swift.min(lo.isFinite ? lo : 0, 0), hi = Swift.max(hi.isFinite ? hi : 0, 0)
        let span = hi - lo
        let scale = span > 0 && span.isFinite ? span / 255 : 1 / 255
        let z = (-lo / scale).rounded(.toNearestOrEven)
        self.scale = scale
        self.zeroPoint = Int(Swift.max(0, Swift.min(255, z)))
    }

    /// True when the scale is positive and finite and the zero point is a uint8 value.
    public var isValid: Bool { scale > 0 && scale.isFinite && (0...255).contains(zeroPoint) }

    /// The real value of `q`.
    @inline(__always) public func real(_ q: UInt8) -> Float { scale * Float(Int(q) - zeroPoint) }

    /// `clamp(round_half_even(x · (1 / scale) + zeroPoint), 0, 255)`, with NaN to `zeroPoint`
    /// (the kernels' order of operations).
    @inline(__always) public func quantize(_ x: Float) -> UInt8 {
        let y = (x * (1 / scale) + Float(zeroPoint)).rounded(.toNearestOrEven)
        if y.isNaN { return UInt8(zeroPoint) }
        return UInt8(Swift.max(0, Swift.min(255, y)))
    }
}

/// A convolution over a uint8 activation with int8 weights (see ``Op/quantizedConv2d(_:)``).
public struct QuantizedConv2DAttributes: Sendable, Hashable, Codable {
    /// Geometry and fused activation; `conv.residual` must be unset (see `residual`).
    public var conv: Conv2DAttributes
    public var input: QuantParams
    /// The output's parameters, or nil for a float32 output.
    public var output: QuantParams?
    /// Parameters of a uint8 residual input added before the activation, when there is one.
    public var residual: QuantParams?

    public init(conv: Conv2DAttributes, input: QuantParams, output: QuantParams?, residual: QuantParams? = nil) {
        self.conv = conv; self.input = input; self.output = output; self.residual = residual
    }
}

/// A depthwise convolution over a uint8 activation with int8 weights.
public struct QuantizedDepthwiseConv2DAttributes: Sendable, Hashable, Codable {
    public var depthwise: DepthwiseConv2DAttributes
    public var input: QuantParams
    /// The output's parameters, or nil for a float32 output.
    public var output: QuantParams?

    public init(depthwise: DepthwiseConv2DAttributes, input: QuantParams, output: QuantParams?) {
        self.depthwise = depthwise; self.input = input; self.output = output
    }
}

/// The sum of two uint8 tensors of one shape, activated and requantized.
public struct QuantizedAddAttributes: Sendable, Hashable, Codable {
    public var a: QuantParams
    public var b: QuantParams
    /// nil: the sum is float32 (an add of uint8 values whose consumers compute in float).
    public var output: QuantParams?
    public var activation: FusedActivation

    public init(a: QuantParams, b: QuantParams, output: QuantParams?, activation: FusedActivation = .none) {
        self.a = a; self.b = b; self.output = output; self.activation = activation
    }
}

/// A uint8 activation scaled per channel by a float32 gate (squeeze-and-excitation), requantized.
public struct QuantizedScaleAttributes: Sendable, Hashable, Codable {
    public var input: QuantParams
    public var output: QuantParams

    public init(input: QuantParams, output: QuantParams) {
        self.input = input; self.output = output
    }
}
