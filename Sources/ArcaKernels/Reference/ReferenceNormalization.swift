import Foundation

extension Reference {
    /// Softmax over rows in `Double`.
    public static func softmax(rows: Int, cols: Int, beta: Float = 1, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let x = input + r * cols
            var m = -Double.infinity
            for j in 0..<cols { m = Swift.max(m, Double(x[j]) * Double(beta)) }
            var s = 0.0
            for j in 0..<cols { s += Foundation.exp(Double(x[j]) * Double(beta) - m) }
            for j in 0..<cols { output[r * cols + j] = Float(Foundation.exp(Double(x[j]) * Double(beta) - m) / s) }
        }
    }

    /// Layer norm over rows in `Double` (biased variance).
    public static func layerNorm(rows: Int, cols: Int, epsilon: Float, input: UnsafePointer<Float>,
                                 gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let x = input + r * cols
            var mean = 0.0
            for j in 0..<cols { mean += Double(x[j]) }
            mean /= Double(cols)
            var v = 0.0
            for j in 0..<cols { v += (Double(x[j]) - mean) * (Double(x[j]) - mean) }
            let inv = 1 / (v / Double(cols) + Double(epsilon)).squareRoot()
            for j in 0..<cols {
                var y = (Double(x[j]) - mean) * inv
                if let gamma { y *= Double(gamma[j]) }
                if let beta { y += Double(beta[j]) }
                output[r * cols + j] = Float(y)
            }
        }
    }
}
