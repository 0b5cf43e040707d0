import ArcaIR
import ArcaKernels
import ArcaTensor
import Foundation

/// Broadcast geometry of a binary op: the output shape with, per operand, element strides (0 = broadcast).
struct BroadcastLoop {
    let outer: [Int]
    let aOuter: [Int], bOuter: [Int]
    let inner: Int
    let aInner: Int, bInner: Int

    init(a: [Int], b: [Int], out: [Int]) {
        let sa = Lowering.broadcastStrides(a, to: out), sb = Lowering.broadcastStrides(b, to: out)
        if out.isEmpty {
            (outer, aOuter, bOuter, inner, aInner, bInner) = ([], [], [], 1, 0, 0)
        } else if a == b {
            (outer, aOuter, bOuter, inner, aInner, bInner) = ([], [], [], out.reduce(1, *), 1, 1)
        } else {
            outer = Array(out.dropLast()); aOuter = Array(sa.dropLast()); bOuter = Array(sb.dropLast())
            inner = out[out.count - 1]; aInner = sa[sa.count - 1]; bInner = sb[sb.count - 1]
        }
    }

    /// `y[i] = f(a[ia], b[ib])` row by row; `row(y, count)` runs after each row (fused activation).
    @inline(__always)
    func run(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
             _ f: (Float, Float) -> Float, row: (UnsafeMutablePointer<Float>, Int) -> Void) {
        let rows = outer.reduce(1, *)
        var idx = [Int](repeating: 0, count: outer.count)
        var ia = 0, ib = 0
        for r in 0..<rows {
            let yr = y + r * inner
            if aInner == 1 && bInner == 1 {
                for j in 0..<inner { yr[j] = f(a[ia + j], b[ib + j]) }
            } else if bInner == 0 {
                let bv = b[ib]
                for j in 0..<inner { yr[j] = f(a[ia + j * aInner], bv) }
            } else {
                let av = a[ia]
                for j in 0..<inner { yr[j] = f(av, b[ib + j]) }
            }
            row(yr, inner)
            var d = outer.count - 1
            while d >= 0 {
                idx[d] += 1; ia += aOuter[d]; ib += bOuter[d]
                if idx[d] < outer[d] { break }
                ia -= aOuter[d] * outer[d]; ib -= bOuter[d] * outer[d]; idx[d] = 0
                d -= 1
            }
        }
    }
}

/// Elementwise ops.
extension LoweringContext {
    func lowerBinary(_ k: BinaryKind, _ act: Activation, _ node: Node, name: String) throws -> Step {
        guard dtype(node.inputs[0]) == .float32 else {
            throw PlanError.unsupported(node: name, detail: "binary ops on \(dtype(node.inputs[0])) (fold them as constants)")
        }
        let (a, b, y) = (UnsafePointer(f(node.inputs[0])), UnsafePointer(f(node.inputs[1])), f(node.outputs[0]))
        let pool = self.pool
        if let op = BinaryOp(rawValue: k.rawValue) {
            let p = BinaryParams(op: op, aShape: shape(node.inputs[0]), bShape: shape(node.inputs[1]))
            if p.isValid {
                return Step(kernel: "binary.\(k.rawValue)") { Binary.run(p, a: a, b: b, activation: act, output: y, pool: pool) }
            }
        }
        let loop = BroadcastLoop(a: shape(node.inputs[0]), b: shape(node.inputs[1]), out: shape(node.outputs[0]))
        let row: (UnsafeMutablePointer<Float>, Int) -> Void = { act.apply($0, count: $1) }
        return Step(kernel: "binary.\(k.rawValue).generic") {
            switch k {
            case .add: loop.run(a, b, y, +, row: row)
            case .sub: loop.run(a, b, y, -, row: row)
            case .mul: loop.run(a, b, y, *, row: row)
            case .div: loop.run(a, b, y, /, row: row)
            case .max: loop.run(a, b, y, { Swift.max($0, $1) }, row: row)
            case .min: loop.run(a, b, y, { Swift.min($0, $1) }, row: row)
            case .pow: loop.run(a, b, y, powf, row: row)
            }
        }
    }

    func lowerPRelu(_ node: Node) -> Step {
        let xs = shape(node.inputs[0]), alpha = shape(node.inputs[1])
        let (a, b, y) = (UnsafePointer(f(node.inputs[0])), UnsafePointer(f(node.inputs[1])), f(node.outputs[0]))
        if let c = xs.last, c > 0, alpha.last == c, alpha.dropLast().allSatisfy({ $0 == 1 }) {
            let count = xs.reduce(1, *), pool = self.pool
            return Step(kernel: "prelu") { PReLU.run(input: a, alpha: b, count: count, channels: c, output: y, pool: pool) }
        }
        let loop = BroadcastLoop(a: xs, b: alpha, out: shape(node.outputs[0]))
        return Step(kernel: "prelu.generic") { loop.run(a, b, y, { $0 >= 0 ? $0 : $0 * $1 }, row: { _, _ in }) }
    }

    func lowerUnary(_ k: UnaryKind, _ node: Node) -> Step {
        let n = shape(node.outputs[0]).reduce(1, *)
        let (x, y) = (UnsafePointer(f(node.inputs[0])), f(node.outputs[0]))
        if let op = UnaryOp(rawValue: k.rawValue) {
            let pool = self.pool
            return Step(kernel: "unary.\(k.rawValue)") { Unary.run(op, input: x, output: y, count: n, pool: pool) }
        }
        return Step(kernel: "unary.\(k.rawValue)") {
            switch k {
            case .exp: Vectorized.map(x, y, n) { Vectorized.exp($0) }
            case .erf: Vectorized.map(x, y, n) { Vectorized.erf($0) }
            case .neg: for i in 0..<n { y[i] = -x[i] }
            case .abs: for i in 0..<n { y[i] = Swift.abs(x[i]) }
            case .sqrt: for i in 0..<n { y[i] = x[i].squareRoot() }
            case .rsqrt: for i in 0..<n { y[i] = 1 / x[i].squareRoot() }
            case .log: for i in 0..<n { y[i] = logf(x[i]) }
            case .square: for i in 0..<n { y[i] = x[i] * x[i] }
            default: for i in 0..<n { y[i] = k.apply(x[i]) }
            }
        }
    }

    /// Any dtype to any dtype: floats round to nearest and integers saturate, like `Tensor.converted(to:)`.
    func lowerCast(_ to: DType, _ node: Node) -> Step {
        let from = dtype(node.inputs[0])
        let n = shape(node.outputs[0]).reduce(1, *)
        let (x, y) = (UnsafeRawPointer(pointer(node.inputs[0])), pointer(node.outputs[0]))
        if from == to { return Step(kernel: "copy") { y.copyMemory(from: x, byteCount: n * to.byteSize) } }
        return Step(kernel: "cast.\(from)→\(to)") {
            for i in 0..<n {
                if from.isFloatingPoint || to.isFloatingPoint {
                    storeCast(y, to, i, Double(loadFloat(x, from, i)))
                } else {
                    storeCast(y, to, i, Double(loadInt(x, from, i)))
                }
            }
        }
    }
}

@inline(__always)
func loadInt(_ p: UnsafeRawPointer, _ dtype: DType, _ i: Int) -> Int64 {
    switch dtype {
    case .int64: p.load(fromByteOffset: i * 8, as: Int64.self)
    case .int32: Int64(p.load(fromByteOffset: i * 4, as: Int32.self))
    case .int8: Int64(p.load(fromByteOffset: i, as: Int8.self))
    case .uint8, .bool: Int64(p.load(fromByteOffset: i, as: UInt8.self))
    case .float32, .float16: Int64(exactly: loadFloat(p, dtype, i).rounded()) ?? 0
    }
}

@inline(__always)
func storeCast(_ p: UnsafeMutableRawPointer, _ dtype: DType, _ i: Int, _ v: Double) {
    let r = v.isNaN ? 0 : v.rounded()
    switch dtype {
    case .float32: p.storeBytes(of: Float(v), toByteOffset: i * 4, as: Float.self)
    case .float16: p.storeBytes(of: Float16(Float(v)), toByteOffset: i * 2, as: Float16.self)
    case .int8: p.storeBytes(of: Int8(max(-128, min(127, r))), toByteOffset: i, as: Int8.self)
    case .uint8: p.storeBytes(of: UInt8(max(0, min(255, r))), toByteOffset: i, as: UInt8.self)
    case .bool: p.storeBytes(of: UInt8(v != 0 ? 1 : 0), toByteOffset: i, as: UInt8.self)
    case .int32: p.storeBytes(of: Int32(max(-2147483648, min(2147483647, r))), toByteOffset: i * 4, as: Int32.self)
    case .int64: p.storeBytes(of: Int64(max(-9.2e18, min(9.2e18, r))), toByteOffset: i * 8, as: Int64.self)
    }
}
