import ArcaIR
import ArcaTensor
import Testing

func randomTensor(_ dims: [Int], _ rng: inout TestRNG, scale: Float = 1) -> Tensor {
    let n = dims.reduce(1, *)
    return try! Tensor(shape: Shape(dims), scalars: (0..<n).map { _ in rng.float() * scale })
}

/// Largest `|a - b| / (1 + |b|)` over all elements, or infinity on shape/dtype mismatch.
func maxRelativeError(_ a: Tensor?, _ b: Tensor?) -> Float {
    guard let a, let b, a.shape == b.shape, a.dtype == b.dtype else { return .infinity }
    var worst: Float = 0
    for (x, y) in zip(a.floats(), b.floats()) {
        if x.isNaN || y.isNaN { return .infinity }
        worst = max(worst, abs(x - y) / (1 + abs(y)))
    }
    return worst
}

extension Graph {
    mutating func const(_ name: String, _ dims: [Int], _ rng: inout TestRNG, scale: Float = 0.5) -> ValueID {
        addConstant(name, randomTensor(dims, &rng, scale: scale))
    }
}
