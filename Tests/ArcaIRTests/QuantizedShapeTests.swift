import ArcaTensor
import Testing
@testable import ArcaIR

/// The statically quantized ops reject what their kernels and reference cannot take, with
/// typed errors, before anything runs.
@Suite struct QuantizedShapeTests {
    static let q = QuantParams(scale: 0.05, zeroPoint: 10)

    static func conv(_ attrs: QuantizedConv2DAttributes, weights: [Int] = [8, 3, 3, 4], scales: Int = 8,
                     residual: [Int]? = nil) throws -> [Int] {
        var g = Graph()
        let x = g.addInput("x", dtype: .uint8, shape: [1, 9, 9, 4])
        let w = g.addConstant("w", try Tensor(shape: Shape(weights), scalars: [Int8](repeating: 1, count: weights.reduce(1, *))))
        let s = g.addConstant("s", try Tensor(shape: [scales], scalars: [Float](repeating: 0.1, count: scales)))
        var ins = [x, w, s]
        if let residual { ins.append(g.addInput("r", dtype: .uint8, shape: residual)) }
        let y = g.addNode(.quantizedConv2d(attrs), inputs: ins, name: "conv")[0]
        g.markOutput(y)
        try g.inferShapes()
        return g.values[y].shape
    }

    @Test func validConvTypesItsOutput() throws {
        #expect(try Self.conv(QuantizedConv2DAttributes(conv: Conv2DAttributes(padding: .same), input: Self.q, output: Self.q)) == [1, 9, 9, 8])
        #expect(try Self.conv(QuantizedConv2DAttributes(conv: Conv2DAttributes(), input: Self.q, output: nil, residual: Self.q),
                              residual: [1, 7, 7, 8]) == [1, 7, 7, 8])
    }

    @Test func invalidConvsAreTypedErrors() {
        let bad: [(QuantizedConv2DAttributes, [Int], Int, [Int]?)] = [
            (QuantizedConv2DAttributes(conv: Conv2DAttributes(groups: 2), input: Self.q, output: Self.q), [8, 3, 3, 2], 8, nil),
            (QuantizedConv2DAttributes(conv: Conv2DAttributes(), input: QuantParams(scale: .nan, zeroPoint: 0), output: Self.q), [8, 3, 3, 4], 8, nil),
            (QuantizedConv2DAttributes(conv: Conv2DAttributes(), input: Self.q, output: QuantParams(scale: 1, zeroPoint: 300)), [8, 3, 3, 4], 8, nil),
            (QuantizedConv2DAttributes(conv: Conv2DAttributes(), input: Self.q, output: Self.q), [8, 3, 3, 4], 7, nil),
            (QuantizedConv2DAttributes(conv: Conv2DAttributes(), input: Self.q, output: Self.q, residual: Self.q), [8, 3, 3, 4], 8, [1, 9, 9, 8]),
            (QuantizedConv2DAttributes(conv: Conv2DAttributes(residual: true), input: Self.q, output: Self.q), [8, 3, 3, 4], 8, nil),
        ]
        for (attrs, w, s, r) in bad {
            #expect(throws: GraphError.self, "\(attrs)") { _ = try Self.conv(attrs, weights: w, scales: s, residual: r) }
        }
    }

    @Test func convDepthBeyondInt32SumsIsRejected() throws {
        func depth(_ c: Int) throws {
            var g = Graph()
            let x = g.addInput("x", dtype: .uint8, shape: [1, 1, 1, c])
            let w = g.addConstant("w", try Tensor(shape: [1, 1, 1, c], scalars: [Int8](repeating: 1, count: c)))
            let s = g.addConstant("s", try Tensor(shape: [1], scalars: [Float(0.1)]))
            g.markOutput(g.addNode(.quantizedConv2d(QuantizedConv2DAttributes(conv: Conv2DAttributes(), input: Self.q, output: Self.q)),
                                   inputs: [x, w, s])[0])
            try g.inferShapes()
        }
        try depth(1 << 16)
        #expect(throws: GraphError.self) { try depth((1 << 16) + 1) }
    }

    @Test func depthwiseAndElementwiseRules() throws {
        var g = Graph()
        let x = g.addInput("x", dtype: .uint8, shape: [1, 6, 6, 4])
        let w = g.addConstant("w", try Tensor(shape: [3, 3, 8], scalars: [Int8](repeating: 1, count: 72)))
        let s = g.addConstant("s", try Tensor(shape: [8], scalars: [Float](repeating: 0.1, count: 8)))
        let attrs = QuantizedDepthwiseConv2DAttributes(depthwise: DepthwiseConv2DAttributes(multiplier: 2), input: Self.q, output: Self.q)
        g.markOutput(g.addNode(.quantizedDepthwiseConv2d(attrs), inputs: [x, w, s])[0])
        #expect(throws: GraphError.self) { try g.inferShapes() }

        var h = Graph()
        let a = h.addInput("a", dtype: .uint8, shape: [1, 6, 6, 4])
        let b = h.addInput("b", dtype: .uint8, shape: [1, 6, 6, 3])
        h.markOutput(h.addNode(.quantizedAdd(QuantizedAddAttributes(a: Self.q, b: Self.q, output: Self.q)), inputs: [a, b])[0])
        #expect(throws: GraphError.self) { try h.inferShapes() }

        var k = Graph()
        let u = k.addInput("u", dtype: .uint8, shape: [1, 6, 6, 4])
        let gate = k.addInput("g", dtype: .float32, shape: [1, 6, 1, 4])
        k.markOutput(k.addNode(.quantizedScaleChannels(QuantizedScaleAttributes(input: Self.q, output: Self.q)), inputs: [u, gate])[0])
        #expect(throws: GraphError.self) { try k.inferShapes() }

        var m = Graph()
        let fx = m.addInput("fx", dtype: .float32, shape: [2, 3])
        m.markOutput(m.addNode(.dequantize(Self.q), inputs: [fx])[0])
        #expect(throws: GraphError.self) { try m.inferShapes() }
    }
}
