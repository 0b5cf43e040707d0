/// Errors raised by tensor construction and views.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    case negativeDimension([Int])
    case elementCountOverflow([Int])
    case countMismatch(expected: Int, got: Int)
    case reshapeMismatch(from: [Int], to: [Int])
    case rankMismatch(expected: Int, got: Int)
    case axisOutOfRange(axis: Int, rank: Int)
    case invalidPermutation([Int])
    case sliceOutOfRange(axis: Int, range: Range<Int>, dimension: Int)
    case dtypeMismatch(expected: DType, got: DType)
    case unsupported(String)

    public var description: String {
        switch self {
        case .negativeDimension(let d): "negative dimension in shape \(d)"
        case .elementCountOverflow(let d): "element count of shape \(d) overflows"
        case .countMismatch(let e, let g): "expected \(e) elements, got \(g)"
        case .reshapeMismatch(let f, let t): "cannot reshape \(f) to \(t)"
        case .rankMismatch(let e, let g): "expected rank \(e), got \(g)"
        case .axisOutOfRange(let a, let r): "axis \(a) out of range for rank \(r)"
        case .invalidPermutation(let p): "invalid permutation \(p)"
        case .sliceOutOfRange(let a, let r, let d): "slice \(r) out of range on axis \(a) of size \(d)"
        case .dtypeMismatch(let e, let g): "expected dtype \(e), got \(g)"
        case .unsupported(let s): s
        }
    }
}

/// A tensor shape: dimensions, outermost first.
public struct Shape: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    public var dims: [Int]

    public init(_ dims: [Int]) { self.dims = dims }
    public init(arrayLiteral elements: Int...) { self.dims = elements }

    public var rank: Int { dims.count }
    public subscript(i: Int) -> Int {
        get { dims[i] }
        set { dims[i] = newValue }
    }

    /// Number of elements; 1 for a scalar. Unchecked: call ``validated()`` on untrusted shapes.
    public var count: Int { dims.reduce(1, *) }

    /// Checks dimensions are non-negative and the element count fits in `Int` with room for bytes.
    public func validated(maxElements: Int = Int.max / 16) throws -> Shape {
        var n = 1
        for d in dims {
            guard d >= 0 else { throw TensorError.negativeDimension(dims) }
            let (p, o) = n.multipliedReportingOverflow(by: d)
            guard !o, p <= maxElements else { throw TensorError.elementCountOverflow(dims) }
            n = p
        }
        return self
    }

    /// Row-major contiguous strides, in elements.
    public var contiguousStrides: [Int] {
        var s = [Int](repeating: 1, count: dims.count)
        var acc = 1
        for i in stride(from: dims.count - 1, through: 0, by: -1) {
            s[i] = acc
            acc *= dims[i]
        }
        return s
    }

    public var description: String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }
}
