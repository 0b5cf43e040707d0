/// An n-dimensional array: a value type with copy-on-write storage.
///
/// A tensor is a view (`shape`, `strides`, `offset`, all in elements) over a
/// ``TensorStorage``. Views made by ``reshaped(_:)``, ``permuted(_:)`` and
/// ``slice(axis:_:)`` share storage until one of them is written.
public struct Tensor: Sendable, CustomStringConvertible {
    public let dtype: DType
    public private(set) var shape: Shape
    public private(set) var strides: [Int]
    public private(set) var offset: Int
    public private(set) var storage: TensorStorage

    /// A zero-filled contiguous tensor.
    public init(zeros shape: Shape, dtype: DType = .float32) {
        self.dtype = dtype
        self.shape = shape
        self.strides = shape.contiguousStrides
        self.offset = 0
        self.storage = TensorStorage(byteCount: shape.count * dtype.byteSize)
    }

    /// Wraps existing storage; `offset` and `strides` are in elements and must stay inside it.
    public init(storage: TensorStorage, dtype: DType, shape: Shape, strides: [Int]? = nil, offset: Int = 0) throws {
        let strides = strides ?? shape.contiguousStrides
        guard strides.count == shape.rank else { throw TensorError.rankMismatch(expected: shape.rank, got: strides.count) }
        var lo = offset, hi = offset
        for (d, s) in zip(shape.dims, strides) where d > 0 {
            if s >= 0 { hi += (d - 1) * s } else { lo += (d - 1) * s }
        }
        guard lo >= 0, shape.count == 0 || (hi + 1) * dtype.byteSize <= storage.byteCount else {
            throw TensorError.unsupported("view \(shape) at offset \(offset) exceeds storage of \(storage.byteCount) bytes")
        }
        self.dtype = dtype
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.storage = storage
    }

    /// A contiguous tensor holding `scalars`, whose count must equal the shape's.
    public init<T: TensorScalar>(shape: Shape, scalars: [T]) throws {
        guard shape.count == scalars.count else { throw TensorError.countMismatch(expected: shape.count, got: scalars.count) }
        self.init(zeros: shape, dtype: T.dtype)
        scalars.withUnsafeBytes { src in
            if let b = src.baseAddress { storage.bytes.copyMemory(from: b, byteCount: src.count) }
        }
    }

    /// A boolean tensor (one byte per element, 0 or 1).
    public init(shape: Shape, bools: [Bool]) throws {
        guard shape.count == bools.count else { throw TensorError.countMismatch(expected: shape.count, got: bools.count) }
        self.init(zeros: shape, dtype: .bool)
        let p = storage.bytes.assumingMemoryBound(to: UInt8.self)
        for (i, b) in bools.enumerated() { p[i] = b ? 1 : 0 }
    }

    /// A rank-0 float32 tensor.
    public init(scalar: Float) {
        self.init(zeros: [], dtype: .float32)
        storage.bytes.storeBytes(of: scalar, as: Float.self)
    }

    public var rank: Int { shape.rank }
    public var count: Int { shape.count }
    public var isContiguous: Bool { strides == shape.contiguousStrides || count <= 1 }

    public var description: String { "Tensor<\(dtype)>\(shape)" }

    // MARK: Element access

    /// Elements in row-major order, converted to `T` (which must match the dtype).
    public func scalars<T: TensorScalar>(as: T.Type = T.self) throws -> [T] {
        guard T.dtype == dtype else { throw TensorError.dtypeMismatch(expected: T.dtype, got: dtype) }
        let c = contiguous()
        return Array(UnsafeBufferPointer(start: c.storage.bytes.assumingMemoryBound(to: T.self) + c.offset, count: c.count))
    }

    /// Elements as `Float`, converting from any dtype.
    public func floats() -> [Float] {
        let c = contiguous()
        let base = c.storage.bytes + c.offset * dtype.byteSize
        let n = c.count
        switch dtype {
        case .float32: return Array(UnsafeBufferPointer(start: base.assumingMemoryBound(to: Float.self), count: n))
        case .float16: return UnsafeBufferPointer(start: base.assumingMemoryBound(to: Float16.self), count: n).map(Float.init)
        case .int8: return UnsafeBufferPointer(start: base.assumingMemoryBound(to: Int8.self), count: n).map(Float.init)
        case .uint8, .bool: return UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: n).map(Float.init)
        case .int32: return UnsafeBufferPointer(start: base.assumingMemoryBound(to: Int32.self), count: n).map(Float.init)
        case .int64: return UnsafeBufferPointer(start: base.assumingMemoryBound(to: Int64.self), count: n).map(Float.init)
        }
    }

    /// Elements as `Int`, converting from any integer or bool dtype (floats truncate).
    public func ints() -> [Int] {
        let c = contiguous()
        let base = c.storage.bytes + c.offset * dtype.byteSize
        let n = c.count
        switch dtype {
        case .int64: return UnsafeBufferPointer(start: base.assumingMemoryBound(to: Int64.self), count: n).map { Int($0) }
        case .int32: return UnsafeBufferPointer(start: base.assumingMemoryBound(to: Int32.self), count: n).map { Int($0) }
        case .int8: return UnsafeBufferPointer(start: base.assumingMemoryBound(to: Int8.self), count: n).map { Int($0) }
        case .uint8, .bool: return UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: n).map { Int($0) }
        case .float32, .float16:
            return floats().map { $0.isFinite ? Int(exactly: $0.rounded(.towardZero)) ?? 0 : 0 }
        }
    }

    /// Read-only access to contiguous elements (copies to contiguous first if needed).
    public func withUnsafeBufferPointer<T: TensorScalar, R>(as: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) throws -> R {
        guard T.dtype == dtype else { throw TensorError.dtypeMismatch(expected: T.dtype, got: dtype) }
        let c = contiguous()
        return try body(UnsafeBufferPointer(start: c.storage.bytes.assumingMemoryBound(to: T.self) + c.offset, count: c.count))
    }

    /// Mutable access to the elements; makes the storage unique and contiguous first.
    public mutating func withUnsafeMutableBufferPointer<T: TensorScalar, R>(as: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R) throws -> R {
        guard T.dtype == dtype else { throw TensorError.dtypeMismatch(expected: T.dtype, got: dtype) }
        makeUniqueContiguous()
        return try body(UnsafeMutableBufferPointer(start: storage.bytes.assumingMemoryBound(to: T.self) + offset, count: count))
    }

    /// Raw bytes of the contiguous elements.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let c = contiguous()
        return try body(UnsafeRawBufferPointer(start: c.storage.bytes + c.offset * dtype.byteSize, count: c.count * dtype.byteSize))
    }

    private mutating func makeUniqueContiguous() {
        if !isContiguous {
            self = contiguous()
        } else if !isKnownUniquelyReferenced(&storage) {
            let fresh = TensorStorage(byteCount: count * dtype.byteSize)
            fresh.bytes.copyMemory(from: storage.bytes + offset * dtype.byteSize, byteCount: count * dtype.byteSize)
            storage = fresh
            offset = 0
        }
    }

    // MARK: Views

    /// A contiguous copy, or `self` if already contiguous.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        var out = Tensor(zeros: shape, dtype: dtype)
        let es = dtype.byteSize
        let src = storage.bytes
        let dst = out.storage.bytes
        let dims = shape.dims
        let rank = dims.count
        var index = [Int](repeating: 0, count: rank)
        let n = count
        var srcOffset = offset
        for i in 0..<n {
            (dst + i * es).copyMemory(from: src + srcOffset * es, byteCount: es)
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                srcOffset += strides[axis]
                if index[axis] < dims[axis] { break }
                srcOffset -= strides[axis] * dims[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        out.offset = 0
        return out
    }

    /// The same elements with a new shape (one dimension may be -1). Copies if not contiguous.
    public func reshaped(_ newShape: Shape) throws -> Tensor {
        var dims = newShape.dims
        if let hole = dims.firstIndex(of: -1) {
            var known = 1
            for (i, d) in dims.enumerated() where i != hole {
                guard d > 0 else { throw TensorError.reshapeMismatch(from: shape.dims, to: newShape.dims) }
                known *= d
            }
            guard known > 0, count % known == 0 else { throw TensorError.reshapeMismatch(from: shape.dims, to: newShape.dims) }
            dims[hole] = count / known
        }
        let target = try Shape(dims).validated()
        guard target.count == count else { throw TensorError.reshapeMismatch(from: shape.dims, to: newShape.dims) }
        var out = contiguous()
        out.shape = target
        out.strides = target.contiguousStrides
        return out
    }

    /// A view with axes permuted: output axis `i` is input axis `perm[i]`.
    public func permuted(_ perm: [Int]) throws -> Tensor {
        guard perm.count == rank, Set(perm) == Set(0..<rank) else { throw TensorError.invalidPermutation(perm) }
        var out = self
        out.shape = Shape(perm.map { shape[$0] })
        out.strides = perm.map { strides[$0] }
        return out
    }

    /// A view of `range` along `axis`.
    public func slice(axis: Int, _ range: Range<Int>) throws -> Tensor {
        guard axis >= 0, axis < rank else { throw TensorError.axisOutOfRange(axis: axis, rank: rank) }
        guard range.lowerBound >= 0, range.upperBound <= shape[axis] else {
            throw TensorError.sliceOutOfRange(axis: axis, range: range, dimension: shape[axis])
        }
        var out = self
        out.offset += range.lowerBound * strides[axis]
        out.shape[axis] = range.count
        return out
    }

    /// Converts elements to another dtype (floats round to nearest; integer narrowing saturates).
    public func converted(to target: DType) -> Tensor {
        if target == dtype { return self }
        var out = Tensor(zeros: shape, dtype: target)
        let dst = out.storage.bytes
        switch target {
        case .float32:
            let f = floats()
            f.withUnsafeBytes { if let b = $0.baseAddress { dst.copyMemory(from: b, byteCount: $0.count) } }
        case .float16:
            let p = dst.assumingMemoryBound(to: Float16.self)
            for (i, v) in floats().enumerated() { p[i] = Float16(v) }
        case .int8, .uint8, .int32, .int64, .bool:
            let values: [Double] = dtype.isFloatingPoint ? floats().map { Double($0.rounded()) } : ints().map(Double.init)
            for (i, v) in values.enumerated() {
                switch target {
                case .int8: dst.assumingMemoryBound(to: Int8.self)[i] = Int8(max(-128, min(127, v.isNaN ? 0 : v)))
                case .uint8: dst.assumingMemoryBound(to: UInt8.self)[i] = UInt8(max(0, min(255, v.isNaN ? 0 : v)))
                case .int32: dst.assumingMemoryBound(to: Int32.self)[i] = Int32(max(-2147483648, min(2147483647, v.isNaN ? 0 : v)))
                case .int64: dst.assumingMemoryBound(to: Int64.self)[i] = v.isNaN ? 0 : Int64(max(-9.2e18, min(9.2e18, v)))
                case .bool: dst.assumingMemoryBound(to: UInt8.self)[i] = v != 0 ? 1 : 0
                default: break
                }
            }
        }
        out.offset = 0
        return out
    }
}
