import Testing
@testable import ArcaKernels

@Suite struct LayoutTests {
    @Test(arguments: [
        ResizeParams(batch: 1, inH: 3, inW: 3, channels: 17, outH: 17, outW: 31, mode: .asymmetric),
        ResizeParams(batch: 2, inH: 17, inW: 31, channels: 3, outH: 3, outW: 64, mode: .halfPixel),
        ResizeParams(batch: 1, inH: 64, inW: 64, channels: 8, outH: 100, outW: 17, mode: .alignCorners),
        ResizeParams(batch: 1, inH: 1, inW: 1, channels: 1, outH: 3, outW: 3, mode: .halfPixel),
        ResizeParams(batch: 1, inH: 31, inW: 17, channels: 24, outH: 1, outW: 1, mode: .alignCorners),
        ResizeParams(batch: 1, inH: 16, inW: 16, channels: 9, outH: 32, outW: 32, mode: .halfPixel),
    ])
    func resizeMatchesReference(p: ResizeParams) {
        var rng = TestRNG(seed: 21)
        let x = Buf(random: p.batch * p.inH * p.inW * p.channels, &rng)
        let count = p.batch * p.outH * p.outW * p.channels
        let fast = Buf(count, .nan), ref = Buf(count)
        ResizeBilinear.run(p, input: x.ptr, output: fast.p, pool: .shared)
        Reference.resizeBilinear(p, input: x.ptr, output: ref.p)
        expectClose(fast, ref, ResizeBilinear.tolerance(p), scale: Buf(count, 1), "\(p)")
    }

    @Test func resizeKnownValues() {
        // 1-D 2 -> 4, asymmetric: src = 0, 0.5, 1, 1.5 -> [a, (a+b)/2, b, b]
        let x = Buf([2, 6])
        let out = Buf(4)
        ResizeBilinear.run(ResizeParams(batch: 1, inH: 1, inW: 2, channels: 1, outH: 1, outW: 4, mode: .asymmetric), input: x.ptr, output: out.p, pool: .serial)
        #expect(out.array == [2, 4, 6, 6])
        ResizeBilinear.run(ResizeParams(batch: 1, inH: 1, inW: 2, channels: 1, outH: 1, outW: 4, mode: .halfPixel), input: x.ptr, output: out.p, pool: .serial)
        #expect(out.array == [2, 3, 5, 6])
    }

    @Test(arguments: [([[2, 3, 4], [2, 5, 4]], 1), ([[1, 64, 64, 24], [1, 64, 64, 4]], 3), ([[3], [17], [1]], 0), ([[17, 31], [17, 31], [17, 31]], -1)])
    func concatMatchesReference(shapes: [[Int]], axis: Int) throws {
        var rng = TestRNG(seed: 23)
        let p = try #require(ConcatParams(shapes: shapes, axis: axis))
        let inputs = shapes.map { Buf(random: $0.reduce(1, *), &rng) }
        let count = shapes.map { $0.reduce(1, *) }.reduce(0, +)
        let fast = Buf(count, .nan), ref = Buf(count)
        Concat.run(p, inputs: inputs.map(\.ptr), output: fast.p, pool: .shared)
        Reference.concat(p, inputs: inputs.map(\.ptr), output: ref.p)
        expectClose(fast, ref, Concat.tolerance, "concat \(shapes) axis \(axis)")
        #expect(ConcatParams(shapes: [[2, 3], [3, 3]], axis: 1) == nil)
    }

    @Test(arguments: [([1, 64, 64, 3], [0, 1, 2, 0], [0, 1, 2, 5]), ([17], [3], [0]), ([3, 17, 31], [1, 0, 2], [0, 3, 0]),
                      ([2, 1, 3, 1, 2, 3], [1, 0, 1, 2, 0, 1], [0, 1, 0, 0, 3, 1]), ([4, 5], [0, 0], [0, 0]),
                      ([1, 9, 7, 24], [0, 0, 0, 2], [0, 0, 0, 6]), ([2, 5, 3], [0, 0, 0], [0, 0, 40])])
    func padMatchesReference(shape: [Int], before: [Int], after: [Int]) {
        var rng = TestRNG(seed: 29)
        let p = PadParams(shape: shape, before: before, after: after, value: -2.5)
        #expect(p.isValid)
        let x = Buf(random: shape.reduce(1, *), &rng)
        let count = p.outShape.reduce(1, *)
        let fast = Buf(count, .nan), ref = Buf(count)
        Pad.run(p, input: x.ptr, output: fast.p, pool: .shared)
        Reference.pad(p, input: x.ptr, output: ref.p)
        expectClose(fast, ref, Pad.tolerance, "pad \(shape)")
    }

    @Test(arguments: [([17, 31], [1, 0]), ([1, 64, 64, 24], [0, 3, 1, 2]), ([2, 24, 17, 31], [0, 2, 3, 1]),
                      ([3, 17, 5], [2, 0, 1]), ([2, 3, 4, 5, 6, 1], [5, 3, 1, 4, 0, 2]), ([100, 64], [0, 1]), ([31], [0]),
                      ([2, 3, 4, 5], [1, 0, 3, 2])])
    func transposeMatchesReference(shape: [Int], perm: [Int]) {
        var rng = TestRNG(seed: 31)
        let p = TransposeParams(shape: shape, perm: perm)
        #expect(p.isValid)
        let x = Buf(random: shape.reduce(1, *), &rng)
        let count = shape.reduce(1, *)
        let fast = Buf(count, .nan), ref = Buf(count)
        Transpose.run(p, input: x.ptr, output: fast.p, pool: .shared)
        Reference.transpose(p, input: x.ptr, output: ref.p)
        expectClose(fast, ref, Transpose.tolerance, "transpose \(shape) \(perm)")
    }

    @Test(arguments: [([30522 / 100, 384], 0, [0, 101, -1, 304, 7]), ([3, 17, 31], 1, [16, 0, 0, -17]), ([64], 0, [3]), ([2, 5], 1, [])])
    func gatherMatchesReference(shape: [Int], axis: Int, indices: [Int]) throws {
        var rng = TestRNG(seed: 37)
        let p = GatherParams(shape: shape, axis: axis, indexCount: indices.count)
        let x = Buf(random: shape.reduce(1, *), &rng)
        let count = p.outer * indices.count * p.inner
        let ref = Buf(count)
        try Reference.gather(p, input: x.ptr, indices: indices, output: ref.p)
        let f32 = Buf(count, .nan), f64 = Buf(count, .nan)
        let i32 = indices.map { Int32($0) }, i64 = indices.map { Int64($0) }
        try i32.withUnsafeBufferPointer { try Gather.run(p, input: x.ptr, indices: $0.baseAddress!, output: f32.p) }
        try i64.withUnsafeBufferPointer { try Gather.run(p, input: x.ptr, indices: $0.baseAddress!, output: f64.p) }
        expectClose(f32, ref, Gather.tolerance, "gather32")
        expectClose(f64, ref, Gather.tolerance, "gather64")
    }

    @Test func gatherRejectsBadIndex() {
        let x = Buf(12)
        let out = Buf(8)
        let p = GatherParams(shape: [3, 4], axis: 0, indexCount: 2)
        for bad: Int32 in [3, -4, .max, .min] {
            let idx: [Int32] = [0, bad]
            #expect(throws: KernelError.indexOutOfRange(index: Int(bad), size: 3)) {
                try idx.withUnsafeBufferPointer { try Gather.run(p, input: x.ptr, indices: $0.baseAddress!, output: out.p) }
            }
        }
        let idx64: [Int64] = [Int64.max]
        #expect(throws: KernelError.self) {
            try idx64.withUnsafeBufferPointer { try Gather.run(GatherParams(shape: [3, 4], axis: 0, indexCount: 1), input: x.ptr, indices: $0.baseAddress!, output: out.p) }
        }
    }

    @Test(arguments: [([1, 64, 64, 24], [1, 2]), ([17, 31], [1]), ([17, 31], [0]), ([3, 17, 31], [0, 2]), ([2, 3, 4, 5, 6], [1, 3]),
                      ([100, 64], [0, 1]), ([1, 1, 17], [0, 1]), ([2, 1, 3], [1]), ([2, 3, 4], []),
                      // Spatial means over 64-column register blocks, 16-column ones and a tail, odd row counts.
                      ([1, 9, 7, 150], [1, 2]), ([2, 8, 8, 64], [1, 2]), ([1, 1, 1, 40], [1, 2])])
    func reduceMeanMatchesReference(shape: [Int], axes: [Int]) {
        var rng = TestRNG(seed: 41)
        let p = ReduceParams(shape: shape, axes: axes)
        #expect(p.isValid)
        let x = Buf(random: shape.reduce(1, *), &rng)
        let count = p.outShape.reduce(1, *)
        let fast = Buf(count, .nan), ref = Buf(count)
        ReduceMean.run(p, input: x.ptr, output: fast.p, pool: .shared)
        Reference.reduceMean(p, input: x.ptr, output: ref.p)
        expectClose(fast, ref, ReduceMean.tolerance(p), scale: Buf(count, 1), "reduce \(shape) \(axes)")
    }

    @Test(arguments: [DepthToSpaceParams(batch: 1, inH: 3, inW: 17, inC: 16, blockSize: 2),
                      DepthToSpaceParams(batch: 2, inH: 17, inW: 3, inC: 27, blockSize: 3),
                      DepthToSpaceParams(batch: 1, inH: 1, inW: 1, inC: 5, blockSize: 1)])
    func depthToSpaceMatchesReference(p: DepthToSpaceParams) {
        var rng = TestRNG(seed: 43)
        let x = Buf(random: p.batch * p.inH * p.inW * p.inC, &rng)
        let count = p.batch * p.outH * p.outW * p.outC
        let fast = Buf(count, .nan), ref = Buf(count)
        DepthToSpace.run(p, input: x.ptr, output: fast.p, pool: .shared)
        Reference.depthToSpace(p, input: x.ptr, output: ref.p)
        expectClose(fast, ref, DepthToSpace.tolerance, "\(p)")
    }

    @Test func depthToSpaceDCROrder() {
        // One pixel, 4 channels, block 2: channels map to (0,0), (0,1), (1,0), (1,1).
        let x = Buf([1, 2, 3, 4]), out = Buf(4)
        DepthToSpace.run(DepthToSpaceParams(batch: 1, inH: 1, inW: 1, inC: 4, blockSize: 2), input: x.ptr, output: out.p, pool: .serial)
        #expect(out.array == [1, 2, 3, 4])
    }
}
