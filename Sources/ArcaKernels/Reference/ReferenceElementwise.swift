import Foundation

extension Reference {
    /// Broadcasting binary op by explicit multi-index arithmetic.
    public static func binary(_ p: BinaryParams, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                              activation: Activation = .none, output: UnsafeMutablePointer<Float>) {
        guard let out = p.outShape else { return }
        let total = out.reduce(1, *)
        let r = out.count
        let aDims = [Int](repeating: 1, count: r - p.aShape.count) + p.aShape
        let bDims = [Int](repeating: 1, count: r - p.bShape.count) + p.bShape
        for flat in 0..<total {
            var rem = flat, ai = 0, bi = 0, aMul = 1, bMul = 1
            for d in stride(from: r - 1, through: 0, by: -1) {
                let i = rem % out[d]
                rem /= out[d]
                ai += (aDims[d] == 1 ? 0 : i) * aMul
                bi += (bDims[d] == 1 ? 0 : i) * bMul
                aMul *= aDims[d]
                bMul *= bDims[d]
            }
            output[flat] = activation.apply(p.op.apply(a[ai], b[bi]))
        }
    }

    /// Unary ops; transcendental ones in `Double` libm.
    public static func unary(_ op: UnaryOp, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let x = input[i], d = Double(x)
            let y: Float = switch op {
            case .relu: Activation.relu.apply(x)
            case .relu6: Activation.relu6.apply(x)
            case .reluN1To1: Activation.reluN1To1.apply(x)
            case .hardSwish: Activation.hardSwish.apply(x)
            case .sigmoid: Float(1 / (1 + Foundation.exp(-d)))
            case .tanh: Float(Foundation.tanh(d))
            case .gelu: Float(0.5 * d * Foundation.erfc(-d / 2.0.squareRoot()))
            case .exp: Float(Foundation.exp(d))
            case .erf: Float(Foundation.erf(d))
            case .neg: -x
            case .abs: Swift.abs(x)
            case .sqrt: Float(d.squareRoot())
            case .rsqrt: Float(1 / d.squareRoot())
            case .log: Float(Foundation.log(d))
            case .square: x * x
            }
            output[i] = y
        }
    }

    /// PReLU with `alpha[i % channels]`.
    public static func prelu(input: UnsafePointer<Float>, alpha: UnsafePointer<Float>, count: Int, channels: Int,
                             output: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            let x = input[i]
            output[i] = x < 0 ? alpha[i % channels] * x : x
        }
    }
}
