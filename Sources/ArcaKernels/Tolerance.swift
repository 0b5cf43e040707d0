/// How closely a kernel must match its reference twin.
///
/// `|fast - ref| <= absolute + relative * scale`, where `scale` is the kernel's
/// natural magnitude for that element (for a dot product, `Σ|a||b|`).
public struct Tolerance: Sendable, CustomStringConvertible {
    public var absolute: Float
    public var relative: Float

    public init(absolute: Float, relative: Float = 0) {
        self.absolute = absolute
        self.relative = relative
    }

    public static let exact = Tolerance(absolute: 0)

    /// fp32 accumulation of `k` products in a different order than the reference.
    public static func dot(k: Int) -> Tolerance {
        Tolerance(absolute: 1e-6, relative: Float(max(k, 1)).squareRoot() * 4 * Float.ulpOfOne)
    }

    public func allows(_ fast: Float, _ ref: Float, scale: Float = 1) -> Bool {
        if fast.isNaN || ref.isNaN { return fast.isNaN && ref.isNaN }
        if fast == ref { return true }
        return abs(fast - ref) <= absolute + relative * max(abs(scale), abs(ref))
    }

    public var description: String { "abs \(absolute), rel \(relative)" }
}
