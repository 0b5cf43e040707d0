import Testing
@testable import ArcaKernels

/// An owned float buffer for kernel tests (stable pointer, freed on deinit).
final class Buf {
    let p: UnsafeMutablePointer<Float>
    let count: Int

    init(_ count: Int, _ value: Float = 0) {
        self.count = count
        p = .allocate(capacity: max(1, count))
        p.initialize(repeating: value, count: max(1, count))
    }

    convenience init(random count: Int, _ rng: inout TestRNG, range: Float = 1) {
        self.init(count)
        for i in 0..<count { p[i] = rng.float() * range }
    }

    convenience init(_ values: [Float]) {
        self.init(values.count)
        for i in values.indices { p[i] = values[i] }
    }

    var ptr: UnsafePointer<Float> { UnsafePointer(p) }
    var array: [Float] { Array(UnsafeBufferPointer(start: p, count: count)) }
    /// A copy with every element replaced by its absolute value (for dot-product scales).
    var absolute: Buf { Buf(array.map { Swift.abs($0) }) }

    deinit { p.deallocate() }
}

/// Expects every element of `fast` to be within `tol` of `ref`; reports the count and the first miss.
func expectClose(_ fast: Buf, _ ref: Buf, _ tol: Tolerance, scale: Buf? = nil, _ label: @autoclosure () -> String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    var bad = 0
    var first = ""
    for i in 0..<ref.count where !tol.allows(fast.p[i], ref.p[i], scale: scale?.p[i] ?? 0) {
        if bad == 0 { first = "at \(i): \(fast.p[i]) vs \(ref.p[i]) (scale \(scale?.p[i] ?? 0), tol \(tol))" }
        bad += 1
    }
    #expect(bad == 0, "\(label()): \(bad) of \(ref.count) differ; first \(first)", sourceLocation: sourceLocation)
}

let testSizes = [1, 3, 17, 31, 64, 100]
