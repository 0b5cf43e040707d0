/// Concatenation along one axis: for each outer index, input `i`'s slab of
/// `innerSizes[i]` floats is copied in turn. Threads split outer indices.
/// Precondition: `params.isValid`, `inputs.count == params.innerSizes.count`;
/// `output` holds `outer * outputInner` floats and aliases no input.
public enum Concat {
    public static let tolerance = Tolerance.exact

    public static func run(_ p: ConcatParams, inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let total = p.outputInner
        if total == 0 || p.outer == 0 { return }
        let rowsPerTask = max(1, 32 * 1024 / total)
        let shared = SendableBox((inputs, output))
        pool.parallelFor(count: (p.outer + rowsPerTask - 1) / rowsPerTask) { t in
            let (inputs, output) = shared.value
            for o in (t * rowsPerTask)..<min(p.outer, (t + 1) * rowsPerTask) {
                var dst = output + o * total
                for (i, size) in p.innerSizes.enumerated() {
                    dst.update(from: inputs[i] + o * size, count: size)
                    dst += size
                }
            }
        }
    }
}
