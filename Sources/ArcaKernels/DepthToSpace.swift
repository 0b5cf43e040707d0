/// Depth-to-space on NHWC, TFLite DCR order (see ``DepthToSpaceParams``).
/// Each output row is `inW * blockSize` copies of `outC` floats. Threads split output rows.
/// Precondition: `params.isValid`; `output` does not alias `input`.
public enum DepthToSpace {
    public static let tolerance = Tolerance.exact

    public static func run(_ p: DepthToSpaceParams, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let bs = p.blockSize, oc = p.outC, outH = p.outH, outW = p.outW
        let shared = SendableBox((input, output))
        pool.parallelFor(count: p.batch * outH) { task in
            let (input, output) = shared.value
            let n = task / outH, oy = task % outH
            let h = oy / bs, by = oy % bs
            let src = input + ((n * p.inH + h) * p.inW) * p.inC + by * bs * oc
            var dst = output + task * outW * oc
            for w in 0..<p.inW {
                // The bs pixels (bx = 0..<bs) come from one contiguous run of bs * outC channels.
                dst.update(from: src + w * p.inC, count: bs * oc)
                dst += bs * oc
            }
        }
    }
}
