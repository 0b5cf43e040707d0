import CArcaCPU

/// Symmetric int8 quantization: `q = round_half_even(x · 127 / absmax)`, `x ≈ q · absmax / 127`.
///
/// Activations are quantized per row at run time (dynamic), weights per output column
/// ahead of time. The scale of an all-zero row or column is 0 and its values are 0.
public enum Int8Quantization {
    /// The largest |x| over `count` floats (NaN counts as 0).
    @inline(__always)
    public static func absMax(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var m = SIMD16<Float>()
        var i = 0
        let raw = UnsafeRawPointer(x)
        while i + 16 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            let a = v.replacing(with: -v, where: v .< 0)
            m = m.maximum(a)
            i += 16
        }
        var r = m.max()
        while i < count {
            let a = abs(x[i])
            if a > r { r = a }
            i += 1
        }
        return r
    }

    /// Quantizes one row of `count` floats to int16 values in [-127, 127] at `dst`, zero-filled
    /// up to `paddedCount`; returns the row's scale (absmax / 127). NaNs quantize to 0; a row
    /// with an infinity quantizes to zeros.
    @inline(__always)
    public static func quantizeRow(_ x: UnsafePointer<Float>, _ count: Int, into dst: UnsafeMutablePointer<Int16>,
                                   paddedCount: Int) -> Float {
        let m = absMax(x, count)
        guard m > 0, m.isFinite else {
            dst.update(repeating: 0, count: paddedCount)
            return 0
        }
        let inv = 127 / m
        let v = SIMD8<Float>(repeating: inv)
        let raw = UnsafeRawPointer(x)
        var i = 0
        while i + 16 <= count {
            var lo = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * v
            var hi = raw.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self) * v
            lo.replace(with: 0, where: lo .!= lo)
            hi.replace(with: 0, where: hi .!= hi)
            arca_f32_to_i16x16(lo, hi, dst + i)
            i += 16
        }
        while i < count {
            let y = x[i] * inv
            dst[i] = y.isNaN ? 0 : Int16((y).rounded(.toNearestOrEven))
            i += 1
        }
        while i < paddedCount {
            dst[i] = 0
            i += 1
        }
        return m / 127
    }

    /// ``quantizeRow(_:_:into:paddedCount:)`` for the VNNI kernel: the same values q, stored as
    /// unsigned bytes q + 128 (so 0 is 128, the padding value up to `paddedCount`).
    @inline(__always)
    public static func quantizeRowShifted(_ x: UnsafePointer<Float>, _ count: Int, into dst: UnsafeMutablePointer<UInt8>,
                                          paddedCount: Int) -> Float {
        let m = absMax(x, count)
        guard m > 0, m.isFinite else {
            dst.update(repeating: 128, count: paddedCount)
            return 0
        }
        let inv = 127 / m
        let v = SIMD16<Float>(repeating: inv)
        let raw = UnsafeRawPointer(x)
        var i = 0
        while i + 16 <= count {
            var y = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * v
            y.replace(with: 0, where: y .!= y)
            arca_f32_to_u8x16_shifted(y, dst + i)
            i += 16
        }
        while i < count {
            let y = x[i] * inv
            dst[i] = y.isNaN ? 128 : UInt8(Int(y.rounded(.toNearestOrEven)) + 128)
            i += 1
        }
        while i < paddedCount {
            dst[i] = 128
            i += 1
        }
        return m / 127
    }

    /// Per-column quantization of `w` (row-major `[K,N]`, or `[N,K]` when `transposed`):
    /// int8 values in the same layout and one scale per column N.
    public static func quantizeColumns(_ w: UnsafePointer<Float>, k: Int, n: Int, transposed: Bool) -> (values: [Int8], scales: [Float]) {
        var values = [Int8](repeating: 0, count: k * n)
        var scales = [Float](repeating: 0, count: n)
        @inline(__always) func index(_ row: Int, _ col: Int) -> Int { transposed ? col * k + row : row * n + col }
        for col in 0..<n {
            var m: Float = 0
            for row in 0..<k { let a = abs(w[index(row, col)]); if a > m { m = a } }
            guard m > 0, m.isFinite else { continue }
            let inv = 127 / m
            scales[col] = m / 127
            for row in 0..<k {
                let q = (w[index(row, col)] * inv).rounded(.toNearestOrEven)
                values[index(row, col)] = Int8(max(-127, min(127, q)))
            }
        }
        return (values, scales)
    }
}
