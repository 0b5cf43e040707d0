import ArcaIR
import Foundation

/// The values one tensor took over a calibration set, as a histogram over its observed range,
/// and the uint8 quantization that represents them with the least squared error.
public struct CalibrationHistogram: Sendable {
    public static let bins = 2048
    public private(set) var lo: Float
    public private(set) var hi: Float
    public private(set) var counts: [Double]

    /// An empty histogram over `[lo, hi]` (widened to contain zero).
    public init(lo: Float, hi: Float) {
        self.lo = Swift.min(lo, 0)
        self.hi = Swift.max(hi, 0)
        counts = [Double](repeating: 0, count: Self.bins)
    }

    public mutating func add(_ values: [Float]) {
        let span = hi - lo
        guard span > 0, span.isFinite else { return }
        let k = Float(Self.bins) / span
        for v in values where v.isFinite {
            let b = Int(((v - lo) * k).rounded(.down))
            counts[Swift.max(0, Swift.min(Self.bins - 1, b))] += 1
        }
    }

    /// The squared error of quantizing every recorded value (at its bin centre) with `q`.
    public func error(_ q: QuantParams) -> Double {
        let width = Double(hi - lo) / Double(Self.bins)
        let s = Double(q.scale), z = Double(q.zeroPoint)
        var e = 0.0
        for (i, c) in counts.enumerated() where c > 0 {
            let x = Double(lo) + (Double(i) + 0.5) * width
            let level = Swift.max(0, Swift.min(255, (x / s + z).rounded()))
            let d = x - s * (level - z)
            e += c * d * d
        }
        return e
    }

    /// The range `[a·lo, b·hi]` (a, b on a geometric grid from 1 down to about 0.007) whose
    /// quantization has the least squared error: outliers are clipped when that buys finer steps
    /// for everything else.
    public var bestParams: QuantParams {
        var best = QuantParams(range: lo, hi)
        guard counts.contains(where: { $0 > 0 }), hi > lo else { return best }
        var bestError = error(best)
        let grid: [Float] = (0..<40).map { Float(pow(0.88, Double($0))) }
        for a in lo < 0 ? grid : [1] {
            for b in hi > 0 ? grid : [1] {
                let q = QuantParams(range: lo * a, hi * b)
                let e = error(q)
                if e < bestError { (best, bestError) = (q, e) }
            }
        }
        return best
    }
}
