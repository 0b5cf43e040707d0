/// Parameters of the shape-generic kernels (elementwise, layout, reductions).
/// Shapes are row-major, outermost first.
public enum KernelLimits {
    /// Every shape-generic kernel supports this rank or less.
    public static let maxRank = 6
}

/// Elementwise binary op with numpy broadcasting: shapes align at the right,
/// each dimension pair is equal or one of them is 1.
public struct BinaryParams: Sendable, Hashable {
    public var op: BinaryOp
    public var aShape: [Int]
    public var bShape: [Int]

    public init(op: BinaryOp, aShape: [Int], bShape: [Int]) {
        self.op = op; self.aShape = aShape; self.bShape = bShape
    }

    /// The broadcast shape, or nil when the shapes do not broadcast.
    public var outShape: [Int]? {
        let r = Swift.max(aShape.count, bShape.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let a = i < r - aShape.count ? 1 : aShape[i - (r - aShape.count)]
            let b = i < r - bShape.count ? 1 : bShape[i - (r - bShape.count)]
            if a == b || b == 1 { out[i] = a } else if a == 1 { out[i] = b } else { return nil }
        }
        return out
    }

    public var isValid: Bool {
        aShape.count <= KernelLimits.maxRank && bShape.count <= KernelLimits.maxRank &&
            aShape.allSatisfy { $0 >= 0 } && bShape.allSatisfy { $0 >= 0 } && outShape != nil
    }
}

/// Concatenation along one axis of shapes that agree elsewhere, flattened to
/// `[outer, inner_i]` slabs: input `i` contributes `innerSizes[i]` contiguous
/// floats (its axis length times the size of the trailing axes) per outer index.
public struct ConcatParams: Sendable, Hashable {
    public var outer: Int
    public var innerSizes: [Int]

    public init(outer: Int, innerSizes: [Int]) {
        self.outer = outer; self.innerSizes = innerSizes
    }

    /// From full shapes and an axis (negative counts from the end); nil if they do not concatenate.
    public init?(shapes: [[Int]], axis: Int) {
        guard let first = shapes.first else { return nil }
        let r = first.count
        let ax = axis < 0 ? axis + r : axis
        guard ax >= 0, ax < r else { return nil }
        for s in shapes {
            guard s.count == r, s.allSatisfy({ $0 >= 0 }) else { return nil }
            for d in 0..<r where d != ax && s[d] != first[d] { return nil }
        }
        outer = first[..<ax].reduce(1, *)
        let trailing = first[(ax + 1)...].reduce(1, *)
        innerSizes = shapes.map { $0[ax] * trailing }
    }

    public var outputInner: Int { innerSizes.reduce(0, +) }
    public var isValid: Bool { outer >= 0 && !innerSizes.isEmpty && innerSizes.allSatisfy { $0 >= 0 } }
}

/// Constant padding: `before[d]` and `after[d]` elements around axis `d`.
public struct PadParams: Sendable, Hashable {
    public var shape: [Int]
    public var before: [Int]
    public var after: [Int]
    public var value: Float

    public init(shape: [Int], before: [Int], after: [Int], value: Float = 0) {
        self.shape = shape; self.before = before; self.after = after; self.value = value
    }

    public var outShape: [Int] { (0..<shape.count).map { shape[$0] + before[$0] + after[$0] } }
    public var isValid: Bool {
        shape.count <= KernelLimits.maxRank && before.count == shape.count && after.count == shape.count &&
            shape.allSatisfy { $0 >= 0 } && before.allSatisfy { $0 >= 0 } && after.allSatisfy { $0 >= 0 }
    }
}

/// Axis permutation: output axis `i` is input axis `perm[i]`.
public struct TransposeParams: Sendable, Hashable {
    public var shape: [Int]
    public var perm: [Int]

    public init(shape: [Int], perm: [Int]) {
        self.shape = shape; self.perm = perm
    }

    public var outShape: [Int] { perm.map { shape[$0] } }
    public var isValid: Bool {
        shape.count <= KernelLimits.maxRank && perm.count == shape.count && Set(perm) == Set(0..<shape.count) &&
            shape.allSatisfy { $0 >= 0 }
    }
}

/// Gather along `axis`: output shape is `shape[..<axis] + indicesShape + shape[(axis+1)...]`,
/// flattened here to `[outer, indexCount, inner]`.
public struct GatherParams: Sendable, Hashable {
    public var shape: [Int]
    public var axis: Int
    public var indexCount: Int

    public init(shape: [Int], axis: Int, indexCount: Int) {
        self.shape = shape; self.axis = axis; self.indexCount = indexCount
    }

    public var outer: Int { shape[..<axis].reduce(1, *) }
    public var axisSize: Int { shape[axis] }
    public var inner: Int { shape[(axis + 1)...].reduce(1, *) }
    public var isValid: Bool {
        axis >= 0 && axis < shape.count && indexCount >= 0 && shape.allSatisfy { $0 >= 0 }
    }
}

/// Mean over `axes` (distinct, in `0..<rank`); the output keeps the other axes in order
/// (with or without kept unit dimensions: the memory layout is the same).
public struct ReduceParams: Sendable, Hashable {
    public var shape: [Int]
    public var axes: [Int]

    public init(shape: [Int], axes: [Int]) {
        self.shape = shape; self.axes = axes
    }

    public var outShape: [Int] { shape.indices.map { axes.contains($0) ? 1 : shape[$0] } }
    public var reducedCount: Int { axes.reduce(1) { $0 * shape[$1] } }
    public var isValid: Bool {
        shape.count <= KernelLimits.maxRank && Set(axes).count == axes.count && axes.allSatisfy { $0 >= 0 && $0 < shape.count } &&
            shape.allSatisfy { $0 > 0 }
    }
}

/// Depth-to-space on NHWC (TFLite DEPTH_TO_SPACE, DCR order):
/// `out[n, h*bs + by, w*bs + bx, c] = in[n, h, w, (by*bs + bx) * outC + c]`.
public struct DepthToSpaceParams: Sendable, Hashable {
    public var batch: Int
    public var inH: Int, inW: Int, inC: Int
    public var blockSize: Int

    public init(batch: Int, inH: Int, inW: Int, inC: Int, blockSize: Int) {
        self.batch = batch; self.inH = inH; self.inW = inW; self.inC = inC; self.blockSize = blockSize
    }

    public var outC: Int { inC / (blockSize * blockSize) }
    public var outH: Int { inH * blockSize }
    public var outW: Int { inW * blockSize }
    public var isValid: Bool {
        batch > 0 && inH > 0 && inW > 0 && inC > 0 && blockSize > 0 && inC % (blockSize * blockSize) == 0
    }
}

/// Errors a kernel raises on data (not parameters), such as gather indices.
public enum KernelError: Error, Equatable, CustomStringConvertible {
    case indexOutOfRange(index: Int, size: Int)

    public var description: String {
        switch self {
        case .indexOutOfRange(let i, let s): "index \(i) out of range for axis of size \(s)"
        }
    }
}
