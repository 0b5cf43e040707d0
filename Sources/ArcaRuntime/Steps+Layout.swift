import ArcaIR
import ArcaKernels
import ArcaTensor

/// A copy of an n-d view into another: `dst[Σ i·dstStrides] = src[Σ i·srcStrides]` over `dims`,
/// strides in elements; rows whose innermost strides are both 1 move with one `memcpy`.
struct StridedCopy {
    let dims: [Int]
    let src: [Int], dst: [Int]
    let elementSize: Int

    func run(_ from: UnsafeRawPointer, _ to: UnsafeMutableRawPointer) {
        guard let inner = dims.last else {
            to.copyMemory(from: from, byteCount: elementSize)
            return
        }
        if dims.contains(0) { return }
        let es = elementSize
        let outer = dims.dropLast()
        let rows = outer.reduce(1, *)
        let (si, di) = (src[src.count - 1], dst[dst.count - 1])
        var idx = [Int](repeating: 0, count: outer.count)
        var so = 0, dOff = 0
        for _ in 0..<rows {
            if si == 1 && di == 1 {
                (to + dOff * es).copyMemory(from: from + so * es, byteCount: inner * es)
            } else {
                for j in 0..<inner { (to + (dOff + j * di) * es).copyMemory(from: from + (so + j * si) * es, byteCount: es) }
            }
            var d = outer.count - 1
            while d >= 0 {
                idx[d] += 1; so += src[d]; dOff += dst[d]
                if idx[d] < dims[d] { break }
                so -= src[d] * dims[d]; dOff -= dst[d] * dims[d]; idx[d] = 0
                d -= 1
            }
        }
    }
}

/// Ops that move elements (every dtype).
extension LoweringContext {
    /// Aliased reshapes are free; a reshape of a constant copies it once per run.
    func lowerReshape(_ node: Node) -> Step {
        if aliasOf[node.outputs[0]] != nil { return Step(kernel: "alias") {} }
        let bytes = shape(node.outputs[0]).reduce(1, *) * dtype(node.outputs[0]).byteSize
        let (x, y) = (UnsafeRawPointer(pointer(node.inputs[0])), pointer(node.outputs[0]))
        return Step(kernel: "copy") { y.copyMemory(from: x, byteCount: bytes) }
    }

    func lowerTranspose(_ perm: [Int], _ node: Node) -> Step {
        let s = shape(node.inputs[0])
        let tp = TransposeParams(shape: s, perm: perm)
        if dtype(node.inputs[0]) == .float32 && tp.isValid {
            let (x, y, pool) = (UnsafePointer(f(node.inputs[0])), f(node.outputs[0]), self.pool)
            return Step(kernel: "transpose") { Transpose.run(tp, input: x, output: y, pool: pool) }
        }
        let cs = Shape(s).contiguousStrides
        let out = shape(node.outputs[0])
        let copy = StridedCopy(dims: out, src: perm.map { cs[$0] }, dst: Shape(out).contiguousStrides, elementSize: dtype(node.inputs[0]).byteSize)
        let (x, y) = (UnsafeRawPointer(pointer(node.inputs[0])), pointer(node.outputs[0]))
        return Step(kernel: "transpose.strided") { copy.run(x, y) }
    }

    /// x `[N,H,W,b·b·C]` seen as `[N,H,W,b,b,C]`, copied as `[N,H,b,W,b,C]` (DCR).
    func lowerDepthToSpace(_ b: Int, _ node: Node) -> Step {
        let s = shape(node.inputs[0])
        let dp = DepthToSpaceParams(batch: s[0], inH: s[1], inW: s[2], inC: s[3], blockSize: b)
        if dtype(node.inputs[0]) == .float32 && dp.isValid {
            let (x, y, pool) = (UnsafePointer(f(node.inputs[0])), f(node.outputs[0]), self.pool)
            return Step(kernel: "depth_to_space") { DepthToSpace.run(dp, input: x, output: y, pool: pool) }
        }
        let c = s[3] / (b * b)
        let six = [s[0], s[1], s[2], b, b, c]
        let cs = Shape(six).contiguousStrides
        let perm = [0, 1, 3, 2, 4, 5]
        let dims = perm.map { six[$0] }
        let copy = StridedCopy(dims: dims, src: perm.map { cs[$0] }, dst: Shape(dims).contiguousStrides, elementSize: dtype(node.inputs[0]).byteSize)
        let (x, y) = (UnsafeRawPointer(pointer(node.inputs[0])), pointer(node.outputs[0]))
        return Step(kernel: "depth_to_space.strided") { copy.run(x, y) }
    }

    func lowerConcat(_ axis: Int, _ node: Node) -> Step {
        let out = shape(node.outputs[0])
        let ax = Lowering.normalizedAxis(axis, rank: out.count)
        if dtype(node.outputs[0]) == .float32, let cp = ConcatParams(shapes: node.inputs.map(shape), axis: ax), cp.isValid {
            let xs = node.inputs.map { UnsafePointer(f($0)) }
            let (y, pool) = (f(node.outputs[0]), self.pool)
            return Step(kernel: "concat") { Concat.run(cp, inputs: xs, output: y, pool: pool) }
        }
        let os = Shape(out).contiguousStrides
        let es = dtype(node.outputs[0]).byteSize
        var parts: [(StridedCopy, UnsafeRawPointer, UnsafeMutableRawPointer)] = []
        var start = 0
        let y = pointer(node.outputs[0])
        for id in node.inputs {
            let s = shape(id)
            parts.append((StridedCopy(dims: s, src: Shape(s).contiguousStrides, dst: os, elementSize: es),
                          UnsafeRawPointer(pointer(id)), y + start * os[ax] * es))
            start += s[ax]
        }
        return Step(kernel: "concat.strided") { for (copy, from, to) in parts { copy.run(from, to) } }
    }

    func lowerPad(_ a: PadAttributes, _ node: Node) -> Step {
        let s = shape(node.inputs[0]), out = shape(node.outputs[0])
        let pp = PadParams(shape: s, before: a.before, after: a.after, value: a.value)
        if dtype(node.inputs[0]) == .float32 && pp.isValid {
            let (x, y, pool) = (UnsafePointer(f(node.inputs[0])), f(node.outputs[0]), self.pool)
            return Step(kernel: "pad") { Pad.run(pp, input: x, output: y, pool: pool) }
        }
        if dtype(node.inputs[0]) == .uint8 && pp.isValid, a.value >= 0, a.value <= 255, a.value == a.value.rounded() {
            let (x, y, pool, v) = (UnsafePointer(pointer(node.inputs[0]).assumingMemoryBound(to: UInt8.self)),
                                   pointer(node.outputs[0]).assumingMemoryBound(to: UInt8.self), self.pool, UInt8(a.value))
            return Step(kernel: "pad.u8") { Pad.run(pp, value: v, input: x, output: y, pool: pool) }
        }
        let os = Shape(out).contiguousStrides
        let dt = dtype(node.outputs[0])
        let es = dt.byteSize
        let copy = StridedCopy(dims: s, src: Shape(s).contiguousStrides, dst: os, elementSize: es)
        let offset = zip(a.before, os).reduce(0) { $0 + $1.0 * $1.1 } * es
        let n = out.reduce(1, *)
        let (x, y) = (UnsafeRawPointer(pointer(node.inputs[0])), pointer(node.outputs[0]))
        let fill = TensorStorage(byteCount: es)
        storeCast(fill.bytes, dt, 0, Double(a.value))
        let value = UnsafeRawPointer(fill.bytes)
        return Step(kernel: "pad.strided") { [fill] in
            _ = fill
            for i in 0..<n { (y + i * es).copyMemory(from: value, byteCount: es) }
            copy.run(x, y + offset)
        }
    }

    /// data `[outer, axisLen, inner]`, indices `I` → `[outer, |I|, inner]`; indices are checked at run time.
    func lowerGather(_ axis: Int, _ node: Node, name: String) -> Step {
        let s = shape(node.inputs[0])
        let ax = Lowering.normalizedAxis(axis, rank: s.count)
        let (outer, len, inner) = Lowering.split(s, axis: ax)
        let count = shape(node.inputs[1]).reduce(1, *)
        let es = dtype(node.inputs[0]).byteSize
        let indexType = dtype(node.inputs[1])
        let (x, idx, y) = (UnsafeRawPointer(pointer(node.inputs[0])), UnsafeRawPointer(pointer(node.inputs[1])), pointer(node.outputs[0]))
        let gp = GatherParams(shape: s, axis: ax, indexCount: count)
        if dtype(node.inputs[0]) == .float32 && gp.isValid {
            let (xf, yf) = (UnsafePointer(f(node.inputs[0])), f(node.outputs[0]))
            func mapped(_ body: () throws(KernelError) -> Void) throws {
                do { try body() } catch { if case .indexOutOfRange(let i, let n) = error { throw PlanError.indexOutOfRange(node: name, index: i, size: n) } }
            }
            if indexType == .int32 {
                let i32 = idx.assumingMemoryBound(to: Int32.self)
                return Step(kernel: "gather") { try mapped { () throws(KernelError) in try Gather.run(gp, input: xf, indices: i32, output: yf) } }
            }
            if indexType == .int64 {
                let i64 = idx.assumingMemoryBound(to: Int64.self)
                return Step(kernel: "gather") { try mapped { () throws(KernelError) in try Gather.run(gp, input: xf, indices: i64, output: yf) } }
            }
        }
        let row = inner * es
        return Step(kernel: "gather.bytes") {
            for i in 0..<count {
                let k = Int(loadInt(idx, indexType, i))
                guard k >= -len, k < len else { throw PlanError.indexOutOfRange(node: name, index: k, size: len) }
                let kk = k < 0 ? k + len : k
                for o in 0..<outer {
                    (y + (o * count + i) * row).copyMemory(from: x + (o * len + kk) * row, byteCount: row)
                }
            }
        }
    }
}
