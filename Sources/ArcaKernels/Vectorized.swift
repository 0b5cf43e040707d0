import CArcaCPU

/// SIMD elementwise math shared by kernels: `exp`, `erf`, `tanh`, `sigmoid`, `gelu`.
///
/// Accuracy (checked against libm by the tests): `exp` ≤ 2 ulp on [-87, 88],
/// `erf` ≤ 2e-7 absolute (Abramowitz–Stegun 7.1.26 refined), derived functions follow.
public enum Vectorized {
    public typealias V = SIMD16<Float>

    /// Applies `f` to `count` floats in place, 16 at a time, with a padded tail.
    @inline(__always)
    public static func map(_ p: UnsafeMutablePointer<Float>, _ count: Int, _ f: (V) -> V) {
        var i = 0
        while i + 16 <= count {
            let raw = UnsafeMutableRawPointer(p + i)
            raw.storeBytes(of: f(raw.loadUnaligned(as: V.self)), as: V.self)
            i += 16
        }
        if i < count {
            var tail = V()
            for j in 0..<(count - i) { tail[j] = p[i + j] }
            tail = f(tail)
            for j in 0..<(count - i) { p[i + j] = tail[j] }
        }
    }

    /// Applies `f` elementwise from `src` to `dst` (which may alias).
    @inline(__always)
    public static func map(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int, _ f: (V) -> V) {
        var i = 0
        while i + 16 <= count {
            let v = UnsafeRawPointer(src + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: f(v), as: V.self)
            i += 16
        }
        if i < count {
            var tail = V()
            for j in 0..<(count - i) { tail[j] = src[i + j] }
            tail = f(tail)
            for j in 0..<(count - i) { dst[i + j] = tail[j] }
        }
    }

    /// For x in [-87.33654, 88.72283] (NaN-free): `exp(x) = y · 2^n`, with n integral and
    /// returned as Int32 lanes (adding 1.5·2^23 leaves it in the low mantissa bits: the stdlib's
    /// SIMD float→int conversion is a generic, unspecialised per-lane call).
    @inline(__always)
    static func expParts(_ x: V) -> (y: V, n: SIMD16<Int32>) {
        let n = (x * 1.442695040888963).rounded(.toNearestOrEven)
        var r = x.addingProduct(n, V(repeating: -0.693359375))
        r = r.addingProduct(n, V(repeating: 2.12194440e-4))
        var p = V(repeating: 1.9875691500e-4)
        p = V(repeating: 1.3981999507e-3).addingProduct(p, r)
        p = V(repeating: 8.3334519073e-3).addingProduct(p, r)
        p = V(repeating: 4.1665795894e-2).addingProduct(p, r)
        p = V(repeating: 1.6666665459e-1).addingProduct(p, r)
        p = V(repeating: 5.0000001201e-1).addingProduct(p, r)
        let y = (r + 1).addingProduct(p, r * r)
        return (y, unsafeBitCast(n + 12_582_912.0, to: SIMD16<Int32>.self) &- 0x4B40_0000)
    }

    @inline(__always)
    public static func exp(_ x0: V) -> V {
        // NaN lanes compute exp(0) and are restored at the end.
        // (Selects through C intrinsics throughout: Swift's 16-lane compare-and-select compiles to
        // mask moves and lane extractions; this clamp sends NaN lanes to the low bound.)
        let x = arca_clamp_f32x16(x0, V(repeating: -87.33654), V(repeating: 88.72283))
        let (y, ni) = expParts(x)
        // 2^n: n is in [-126, 128]; split to keep the exponent field valid.
        let half = ni &>> 1
        let s1 = unsafeBitCast((half &+ 127) &<< 23, to: V.self)
        let s2 = unsafeBitCast((ni &- half &+ 127) &<< 23, to: V.self)
        var result = y * s1 * s2
        // Beyond the float range: overflow to +inf, flush results below the normal range to 0.
        result = arca_blend_gt_f32x16(x0, V(repeating: 88.72283), V(repeating: .infinity), result)
        result = arca_blend_lt_f32x16(x0, V(repeating: -87.33654), .zero, result)
        return arca_blend_nan_f32x16(x0, x0, result)
    }

    /// exp for arguments ≤ 0 (softmax after subtracting the row maximum): ``exp(_:)`` without
    /// the overflow and NaN handling, and a single 2^n scale (n ≥ -126).
    /// Arguments below -87.33654 (and -inf) give 0.
    @inline(__always)
    public static func expNonPositive(_ x0: V) -> V {
        let lo = V(repeating: -87.33654)
        let (y, ni) = expParts(arca_blend_lt_f32x16(x0, lo, lo, x0))
        let result = y * unsafeBitCast((ni &+ 127) &<< 23, to: V.self)
        return arca_blend_lt_f32x16(x0, lo, .zero, result)
    }

    @inline(__always)
    public static func sigmoid(_ x: V) -> V {
        1 / (1 + exp(-x))
    }

    @inline(__always)
    public static func tanh(_ x: V) -> V {
        // tanh(x) = sign(x) * (1 - 2 / (exp(2|x|) + 1)); small |x| uses the odd series.
        let ax = unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: V.self)
        let e = exp(2 * ax.clamp(.zero, V(repeating: 20)))
        var t = 1 - 2 / (e + 1)
        let x2 = x * x
        var poly = V(repeating: -17.0 / 315.0)
        poly = V(repeating: 2.0 / 15.0).addingProduct(poly, x2)
        poly = V(repeating: -1.0 / 3.0).addingProduct(poly, x2)
        poly = V(repeating: 1).addingProduct(poly, x2)
        let series = ax * poly
        t = arca_blend_lt_f32x16(ax, V(repeating: 0.0625), series, t)
        // t ≥ 0: x's sign bit gives the result's (−0 stays −0).
        let sign = unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x8000_0000
        return unsafeBitCast(unsafeBitCast(t, to: SIMD16<UInt32>.self) | sign, to: V.self)
    }

    /// erf with |error| ≤ 1.2e-7: a rational fit on |x| < 0.84375 and `1 - exp(-x²) P(t)` above.
    @inline(__always)
    public static func erf(_ x: V) -> V {
        let (small, erfc, isSmall) = erfParts(x)
        var r = 1 - erfc
        r.replace(with: small, where: isSmall)
        return r.replacing(with: -r, where: x .< 0)
    }

    /// For `a = |x|`: `erf(a)` by series where `isSmall` (a < 0.84375), else `erfc(a)`
    /// (relative error < 1.2e-7, no cancellation).
    @inline(__always)
    static func erfParts(_ x: V) -> (small: V, erfc: V, isSmall: SIMDMask<V.MaskStorage>) {
        let ax = x.replacing(with: -x, where: x .< 0)
        // Small |x|: the Maclaurin series of erf to x^21, exact to float precision below 0.84375.
        let z = ax * ax
        var s = V(repeating: 1.480719282e-08)
        s = V(repeating: -1.636584469e-07).addingProduct(s, z)
        s = V(repeating: 1.646211437e-06).addingProduct(s, z)
        s = V(repeating: -1.492565036e-05).addingProduct(s, z)
        s = V(repeating: 0.0001205533298).addingProduct(s, z)
        s = V(repeating: -0.0008548327023).addingProduct(s, z)
        s = V(repeating: 0.005223977625).addingProduct(s, z)
        s = V(repeating: -0.02686617065).addingProduct(s, z)
        s = V(repeating: 0.1128379167).addingProduct(s, z)
        s = V(repeating: -0.376126389).addingProduct(s, z)
        s = V(repeating: 1.128379167).addingProduct(s, z)
        let small = ax * s
        // Large |x|: Numerical Recipes erfc Chebyshev form, relative error < 1.2e-7.
        // erfc(10) is below the float range; the clamp keeps inf out of the split below.
        let axl = ax.clamp(.zero, V(repeating: 10))
        let t = 1 / (1 + 0.5 * axl)
        var q = V(repeating: 0.17087277)
        q = V(repeating: -0.82215223).addingProduct(q, t)
        q = V(repeating: 1.48851587).addingProduct(q, t)
        q = V(repeating: -1.13520398).addingProduct(q, t)
        q = V(repeating: 0.27886807).addingProduct(q, t)
        q = V(repeating: -0.18628806).addingProduct(q, t)
        q = V(repeating: 0.09678418).addingProduct(q, t)
        q = V(repeating: 0.37409196).addingProduct(q, t)
        q = V(repeating: 1.00002368).addingProduct(q, t)
        q = V(repeating: -1.26551223).addingProduct(q, t)
        // exp(-x² + q) with x² split as h² + (h - x)(h + x), h = x cut to 12 mantissa bits: h² is exact,
        // so the rounding of x² (relative 6e-8 of an argument up to 87) does not reach the result.
        let hi = unsafeBitCast(unsafeBitCast(axl, to: SIMD16<UInt32>.self) & 0xFFFF_F000, to: V.self)
        let erfc = t * exp(-(hi * hi)) * exp((hi - axl) * (hi + axl) + q)
        return (small, erfc, ax .< 0.84375)
    }

    /// GELU, `0.5 x (1 + erf(x / √2))`, with erf from a rational fit in u = x/√2 clamped to
    /// [-4, 4]: u·P(u²)/Q(u²), P of degree 6 and Q of degree 4 in u² (weighted least squares,
    /// |erf error| ≤ 5e-7 in float; GELU within 1e-6 absolute of libm, ``Tolerances/gelu``). One reciprocal and no exp: about 1/8 of the cost of the
    /// two-branch erf/erfc form ``erf(_:)`` uses. Beyond |x| > 8 the result is 0 or x.
    @inline(__always)
    public static func gelu(_ x: V) -> V {
        // Clamps and lane fix-ups through the C intrinsics: SIMD compare-and-select on 16 lanes
        // compiled to mask moves and lane extractions (64 cycles per vector, most of them there).
        let u = arca_clamp_f32x16(x * 0.70710678118654752, V(repeating: -4), V(repeating: 4))
        let u2 = u * u
        var p = V(repeating: 1.9667930450939508e-08)
        p = V(repeating: -1.977515713399297e-06).addingProduct(p, u2)
        p = V(repeating: 0.00014822458316910304).addingProduct(p, u2)
        p = V(repeating: 0.003965617879871863).addingProduct(p, u2)
        p = V(repeating: 0.051386005803684784).addingProduct(p, u2)
        p = V(repeating: 0.20611361912286147).addingProduct(p, u2)
        p = V(repeating: 1.1283788191908535).addingProduct(p, u2)
        var q = V(repeating: 0.0010204739009750706)
        q = V(repeating: 0.014880657606972743).addingProduct(q, u2)
        q = V(repeating: 0.11755333991525814).addingProduct(q, u2)
        q = V(repeating: 0.5159925972836917).addingProduct(q, u2)
        q = V(repeating: 1).addingProduct(q, u2)
        // 1/q by a refined reciprocal on AVX-512 (a 16-lane vdivps issues once per 16 cycles on
        // Intel cores: it was half of this function's time); q ≥ 1.
        let r = 0.5 * x * (1 + u * p * arca_rcp_f32x16(q))
        // Beyond ±8: 0 or x; -inf keeps the formula's NaN (-inf · 0), as PyTorch and onnxruntime give.
        return arca_gelu_tail_f32x16(x, r)
    }

    /// Accuracy against `Double` libm, measured by the tests on a dense grid over [-100, 100].
    public enum Tolerances {
        public static let exp = Tolerance(absolute: Float.leastNormalMagnitude, relative: 2 * .ulpOfOne)
        public static let erf = Tolerance(absolute: 2e-7, relative: 2 * .ulpOfOne)
        public static let tanh = Tolerance(absolute: 2e-7, relative: 2 * .ulpOfOne)
        public static let sigmoid = Tolerance(absolute: Float.leastNormalMagnitude, relative: 4 * .ulpOfOne)
        public static let gelu = Tolerance(absolute: 1e-6, relative: 4 * .ulpOfOne)
    }
}

extension SIMD8 where Scalar == Float {
    /// Lane-wise clamp to `[lo, hi]` by compare-and-select (the stdlib's `clamped` and
    /// `pointwiseMin/Max` compile to unvectorized calls); NaN lanes stay NaN.
    @inline(__always)
    public func clamp(_ lo: Self, _ hi: Self) -> Self {
        replacing(with: lo, where: self .< lo).replacing(with: hi, where: self .> hi)
    }

    /// Lane-wise maximum by compare-and-select.
    @inline(__always)
    public func maximum(_ other: Self) -> Self { replacing(with: other, where: other .> self) }
}

extension SIMD16 where Scalar == Float {
    /// Lane-wise clamp to `[lo, hi]`; NaN lanes stay NaN (vmaxps/vminps with the operand
    /// order that returns the NaN: compare-and-select on 16 lanes compiled to mask moves).
    @inline(__always)
    public func clamp(_ lo: Self, _ hi: Self) -> Self { arca_clamp_nan_f32x16(self, lo, hi) }

    /// Lane-wise maximum: `other` where it is greater, else self (self where either is NaN).
    @inline(__always)
    public func maximum(_ other: Self) -> Self { arca_max_f32x16(other, self) }
}
