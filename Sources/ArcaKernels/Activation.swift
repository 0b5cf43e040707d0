import Foundation

/// An elementwise activation a kernel can apply as it stores its output.
public enum Activation: String, Sendable, Hashable, CaseIterable, Codable {
    case none, relu, relu6, reluN1To1, sigmoid, tanh, hardSwish, gelu

    /// The scalar definition; the executable spec for every fused epilogue.
    @inline(__always)
    public func apply(_ x: Float) -> Float {
        switch self {
        case .none: x
        case .relu: Swift.max(x, 0)
        case .relu6: Swift.min(Swift.max(x, 0), 6)
        case .reluN1To1: Swift.min(Swift.max(x, -1), 1)
        case .sigmoid: 1 / (1 + Foundation.exp(-x))
        case .tanh: Foundation.tanh(x)
        case .hardSwish: x * Swift.min(Swift.max(x + 3, 0), 6) / 6
        case .gelu: 0.5 * x * (1 + Foundation.erf(x / 2.0.squareRoot().asFloat))
        }
    }

    /// Applies the activation in place to `count` contiguous floats.
    public func apply(_ p: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .none: return
        case .relu:
            Vectorized.map(p, count) { $0.replacing(with: 0, where: $0 .< 0) }
        case .relu6:
            Vectorized.map(p, count) { $0.clamp(.zero, SIMD16(repeating: 6)) }
        case .reluN1To1:
            Vectorized.map(p, count) { $0.clamp(SIMD16(repeating: -1), SIMD16(repeating: 1)) }
        case .hardSwish:
            Vectorized.map(p, count) { x in
                x * (x + 3).clamp(.zero, SIMD16(repeating: 6)) * (1.0 / 6.0)
            }
        case .sigmoid: Vectorized.map(p, count) { Vectorized.sigmoid($0) }
        case .tanh: Vectorized.map(p, count) { Vectorized.tanh($0) }
        case .gelu: Vectorized.map(p, count) { Vectorized.gelu($0) }
        }
    }
}

extension Double {
    @inline(__always) var asFloat: Float { Float(self) }
}
