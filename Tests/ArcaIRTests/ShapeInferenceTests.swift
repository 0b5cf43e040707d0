import ArcaTensor
import Testing
@testable import ArcaIR

func zeros(_ dims: [Int]) -> Tensor { Tensor(zeros: Shape(dims)) }

@Suite struct ShapeInferenceTests {
    @Test func samePaddingFollowsTensorFlow() {
        // in 7, k 3, s 2: out 4, total pad (4-1)*2+3-7 = 2 → (1, 1).
        #expect(Padding.same(input: 7, kernel: 3, stride: 2) == (1, 1))
        // in 8, k 3, s 2: out 4, total 1 → (0, 1): odd pixel at the end.
        #expect(Padding.same(input: 8, kernel: 3, stride: 2) == (0, 1))
        #expect(Padding.same(input: 5, kernel: 3, stride: 1, dilation: 2) == (2, 2))
        let p = Padding.same.resolved(inH: 8, inW: 7, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2)
        #expect(p == ExplicitPadding(top: 0, left: 1, bottom: 1, right: 1))
    }

    @Test func convFamilyShapes() throws {
        var g = Graph()
        let x = g.addInput("x", shape: [-1, 16, 15, 3])
        let w = g.addConstant("w", zeros([8, 3, 3, 3]))
        let c = g.add(.conv2d(Conv2DAttributes(strideH: 2, strideW: 2, padding: .same)), x, w, name: "c")
        let dw = g.addConstant("dw", zeros([3, 3, 16]))
        let d = g.add(.depthwiseConv2d(DepthwiseConv2DAttributes(padding: .valid, multiplier: 2)), c, dw, name: "d")
        let tw = g.addConstant("tw", zeros([4, 2, 2, 16]))
        let t = g.add(.transposeConv2d(TransposeConv2DAttributes(strideH: 2, strideW: 2, padding: .same)), d, tw)
        let p = g.add(.pool2d(Pool2DAttributes(kind: .max, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2)), t)
        let r = g.add(.resizeBilinear(ResizeAttributes(outH: 9, outW: 10, mode: .halfPixel)), p)
        let s = g.add(.depthToSpace(blockSize: 2), r)
        g.markOutput(s)
        try g.inferShapes()
        #expect(g.values[c].shape == [-1, 8, 8, 8])
        #expect(g.values[d].shape == [-1, 6, 6, 16])
        #expect(g.values[t].shape == [-1, 12, 12, 4])
        #expect(g.values[p].shape == [-1, 6, 6, 4])
        #expect(g.values[s].shape == [-1, 18, 20, 1])
        try g.inferShapes(inputShapes: [x: [2, 16, 15, 3]])
        #expect(g.values[s].shape == [2, 18, 20, 1])
        g.resolvePaddings()
        guard case .conv2d(let a) = g.nodes[0].op else { Issue.record("not conv"); return }
        #expect(a.padding == .explicit(top: 0, left: 1, bottom: 1, right: 1))
    }

    @Test func tensorOpShapes() throws {
        var g = Graph()
        let a = g.addInput("a", shape: [2, 5, 12])
        let b = g.addInput("b", shape: [12])
        let sum = g.add(.binary(.add, activation: .none), a, b)
        let w = g.addConstant("w", zeros([7, 12]))
        let mm = g.add(.matMul(MatMulAttributes(transposeB: true)), sum, w)
        let rs = g.add(.reshape(newShape: [-1, 7]), mm)
        let tr = g.add(.transpose(perm: [1, 0]), rs)
        let cat = g.add(.concat(axis: -1), tr, tr)
        let idx = g.addConstant("i", try Tensor(shape: [2, 3], scalars: [Int32(0), 1, 2, 3, 4, 5]))
        let ga = g.add(.gather(axis: 1), cat, idx)
        let rm = g.add(.reduceMean(axes: [0, -1], keepDims: true), ga)
        let rm2 = g.add(.reduceMean(axes: [1], keepDims: false), ga)
        let pd = g.add(.pad(PadAttributes(before: [1, 0, 2], after: [0, 0, 1])), ga)
        let att = g.add(.attention(AttentionAttributes(heads: 3, scale: 0.5)), a, a, a)
        let mask = g.addInput("m", dtype: .int64, shape: [2, 5])
        let mmean = g.add(.maskedMean, att, mask)
        let cast = g.add(.cast(to: .float16), mmean)
        for v in [rm, rm2, pd, cast] { g.markOutput(v) }
        try g.inferShapes()
        #expect(g.values[sum].shape == [2, 5, 12])
        #expect(g.values[mm].shape == [2, 5, 7])
        #expect(g.values[rs].shape == [10, 7])
        #expect(g.values[cat].shape == [7, 20])
        #expect(g.values[ga].shape == [7, 2, 3])
        #expect(g.values[rm].shape == [1, 2, 1])
        #expect(g.values[rm2].shape == [7, 3])
        #expect(g.values[pd].shape == [8, 2, 6])
        #expect(g.values[att].shape == [2, 5, 12])
        #expect(g.values[mmean].shape == [2, 12])
        #expect(g.values[cast].dtype == .float16)
    }

    @Test func broadcastingRules() throws {
        #expect(try ShapeRules.broadcast([4, 1, 3], [5, 1]) == [4, 5, 3])
        #expect(try ShapeRules.broadcast([], [2, 2]) == [2, 2])
        #expect(try ShapeRules.broadcast([-1, 3], [2, 1]) == [2, 3])
        #expect(throws: RuleFailure.self) { try ShapeRules.broadcast([4, 3], [2, 3]) }
    }

    @Test func concreteInputShapesMustFitDeclaration() throws {
        var g = Graph()
        let x = g.addInput("x", shape: [-1, 4])
        g.markOutput(g.add(.unary(.relu), x))
        #expect(throws: GraphError.inputShapeMismatch(value: "value 0 'x'", declared: [-1, 4], given: [2, 5])) {
            try g.inferShapes(inputShapes: [x: [2, 5]])
        }
        try g.inferShapes(inputShapes: [x: [3, 4]])
        #expect(g.values[1].shape == [3, 4])
    }
}
