import Foundation
import Testing
@testable import ArcaKernels

@Suite struct VectorizedTests {
    /// Every 1/1024 over [-100, 100] plus the float-range edges.
    static let grid: [Float] = {
        var g = stride(from: -100.0, through: 100.0, by: 1.0 / 1024).map { Float($0) }
        g += [-87.5, -87.33654, -87.3, -88.8, 88.7, 88.72283, 88.73, 89, -1e-30, 1e-30, 1e-8, -1e-8, 0, -0.0,
              .leastNormalMagnitude, Float.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .nan]
        return g
    }()

    /// The op (run through ``Unary``, so compiled as the kernels are), its `Double` libm twin, its tolerance.
    static func function(_ name: String) -> (UnaryOp, (Double) -> Double, Tolerance) {
        switch name {
        case "exp": (.exp, { Foundation.exp($0) }, Vectorized.Tolerances.exp)
        case "erf": (.erf, { Foundation.erf($0) }, Vectorized.Tolerances.erf)
        case "tanh": (.tanh, { Foundation.tanh($0) }, Vectorized.Tolerances.tanh)
        case "sigmoid": (.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }, Vectorized.Tolerances.sigmoid)
        default: (.gelu, { 0.5 * $0 * Foundation.erfc(-$0 / 2.0.squareRoot()) }, Vectorized.Tolerances.gelu)
        }
    }

    @Test(arguments: ["exp", "erf", "tanh", "sigmoid", "gelu"])
    func matchesLibm(name: String) {
        let (op, ref, tol) = Self.function(name)
        let x = Buf(Self.grid)
        let y = Buf(x.count)
        Unary.run(op, input: x.ptr, output: y.p, count: x.count, pool: .serial)
        var bad = 0, first = "", worstRel: Double = 0, worstAbs: Double = 0
        for i in 0..<x.count {
            let r = Float(ref(Double(x.p[i])))
            let e = Double(Swift.abs(y.p[i] - r))
            if r.isFinite && e.isFinite {
                worstAbs = Swift.max(worstAbs, e)
                if Swift.abs(r) > 1e-30 { worstRel = Swift.max(worstRel, e / Double(Swift.abs(r))) }
            }
            if !tol.allows(y.p[i], r) {
                if bad == 0 { first = "x=\(x.p[i]): \(y.p[i]) vs \(r)" }
                bad += 1
            }
        }
        #expect(bad == 0, "\(name): \(bad) outside \(tol); first \(first); worst abs \(worstAbs) rel \(worstRel)")
    }

    /// The softmax exp: every grid point ≤ 0 (and -inf) against libm, with exp's tolerance.
    @Test func expNonPositiveMatchesLibm() {
        let xs = Self.grid.filter { $0 <= 0 } + [-.infinity, -1e-38, -87.4, -120]
        var bad = 0, first = ""
        var i = 0
        while i < xs.count {
            var v = SIMD16<Float>(repeating: 0)
            let n = min(16, xs.count - i)
            for t in 0..<n { v[t] = xs[i + t] }
            let y = Vectorized.expNonPositive(v)
            for t in 0..<n {
                let x = xs[i + t]
                let r = x < -87.33654 ? Float(0) : Float(Foundation.exp(Double(x)))
                if !Vectorized.Tolerances.exp.allows(y[t], r) {
                    if bad == 0 { first = "x=\(x): \(y[t]) vs \(r)" }
                    bad += 1
                }
            }
            i += 16
        }
        #expect(bad == 0, "\(bad) outside; first \(first)")
    }
}
