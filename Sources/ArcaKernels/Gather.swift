/// Gather along one axis: `out[o, j, :] = in[o, indices[j], :]` over the
/// `[outer, axisSize, inner]` view (see ``GatherParams``). Negative indices
/// count from the end, as in ONNX and numpy.
///
/// Indices are data: every index is checked before anything is written, and
/// one outside `-axisSize..<axisSize` throws ``KernelError/indexOutOfRange(index:size:)``.
/// Precondition: `params.isValid`; `output` holds `outer * indexCount * inner` floats.
public enum Gather {
    public static let tolerance = Tolerance.exact

    public static func run(_ p: GatherParams, input: UnsafePointer<Float>, indices: UnsafePointer<Int32>,
                           output: UnsafeMutablePointer<Float>) throws(KernelError) {
        try gather(p, input, output) { Int(indices[$0]) }
    }

    public static func run(_ p: GatherParams, input: UnsafePointer<Float>, indices: UnsafePointer<Int64>,
                           output: UnsafeMutablePointer<Float>) throws(KernelError) {
        try gather(p, input, output) { Int(truncatingIfNeeded: indices[$0]) }
    }

    @inline(__always)
    static func gather(_ p: GatherParams, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                       _ index: (Int) -> Int) throws(KernelError) {
        let size = p.axisSize, inner = p.inner, outer = p.outer, count = p.indexCount
        for j in 0..<count {
            let i = index(j)
            if i < -size || i >= size { throw .indexOutOfRange(index: i, size: size) }
        }
        var dst = output
        for o in 0..<outer {
            let base = input + o * size * inner
            for j in 0..<count {
                var i = index(j)
                if i < 0 { i += size }
                dst.update(from: base + i * inner, count: inner)
                dst += inner
            }
        }
    }
}
