import ArcaTensor
import Testing
@testable import ArcaIR

@Suite struct VerifierTests {
    func convGraph(weights: [Int], attrs: Conv2DAttributes = Conv2DAttributes()) -> Graph {
        var g = Graph()
        let x = g.addInput("x", shape: [1, 8, 8, 4])
        let w = g.addConstant("w", zeros(weights))
        g.markOutput(g.add(.conv2d(attrs), x, w, name: "conv"))
        return g
    }

    @Test func acceptsWellFormedGraph() throws {
        try convGraph(weights: [6, 3, 3, 4]).verify()
        try convGraph(weights: [6, 3, 3, 2], attrs: Conv2DAttributes(groups: 2)).verify()
    }

    @Test func danglingAndOutOfRangeInputs() {
        var g = Graph()
        let x = g.addInput("x", shape: [2])
        let ghost = g.addValue(ValueInfo(name: "ghost", dtype: .float32, shape: [2]))
        g.markOutput(g.add(.binary(.add, activation: .none), x, ghost, name: "add"))
        #expect(throws: GraphError.danglingInput(node: "node 0 'add' (add)", value: "value 1 'ghost'")) { try g.verify() }
        g.nodes[0].inputs[1] = 99
        #expect(throws: GraphError.valueOutOfRange(node: "node 0 'add' (add)", value: 99)) { try g.verify() }
    }

    @Test func producedTwiceAndMissingOutput() {
        var g = Graph()
        let x = g.addInput("x", shape: [2])
        let y = g.add(.unary(.relu), x, name: "r")
        g.nodes.append(Node(op: .unary(.exp), inputs: [x], outputs: [y], name: "e"))
        g.markOutput(y)
        #expect(throws: GraphError.producedTwice(value: "value 1 'r'")) { try g.verify() }
        var h = Graph()
        let a = h.addInput("a", shape: [2])
        _ = h.add(.unary(.relu), a)
        h.markOutput(h.addValue(ValueInfo(name: "nothing", dtype: .float32, shape: [])))
        #expect(throws: GraphError.outputNotProduced(value: "value 2 'nothing'")) { try h.verify() }
    }

    @Test func cyclesAreRejectedAndOrderIsTopological() throws {
        var g = Graph()
        let x = g.addInput("x", shape: [2])
        let a = g.addValue(ValueInfo(name: "a", dtype: .float32, shape: []))
        let b = g.addValue(ValueInfo(name: "b", dtype: .float32, shape: []))
        g.nodes.append(Node(op: .binary(.add, activation: .none), inputs: [x, b], outputs: [a], name: "n0"))
        g.nodes.append(Node(op: .unary(.relu), inputs: [a], outputs: [b], name: "n1"))
        g.markOutput(b)
        #expect(throws: GraphError.cycle(nodes: ["node 0 'n0' (add)", "node 1 'n1' (relu)"])) { try g.verify() }

        var h = Graph()
        let i = h.addInput("i", shape: [2])
        let u = h.addValue(ValueInfo(name: "u", dtype: .float32, shape: []))
        let v = h.addValue(ValueInfo(name: "v", dtype: .float32, shape: []))
        h.nodes.append(Node(op: .unary(.exp), inputs: [u], outputs: [v], name: "second"))
        h.nodes.append(Node(op: .unary(.relu), inputs: [i], outputs: [u], name: "first"))
        h.markOutput(v)
        try h.verify()
        let sorted = try h.topologicallySorted()
        #expect(sorted.nodes.map(\.name) == ["first", "second"])
    }

    @Test func inputCounts() {
        var g = Graph()
        let x = g.addInput("x", shape: [2])
        g.markOutput(g.add(.binary(.mul, activation: .none), x, name: "m"))
        #expect(throws: GraphError.wrongInputCount(node: "node 0 'm' (mul)", expected: "2", got: 1)) { try g.verify() }
    }

    @Test func shapeAndDtypeMismatches() {
        #expect(throws: GraphError.shapeMismatch(node: "node 0 'conv' (conv2d)", detail: "weights expect 5 input channels, input has 4")) {
            try convGraph(weights: [6, 3, 3, 5]).verify()
        }
        var g = Graph()
        let a = g.addInput("a", shape: [3, 4])
        let b = g.addInput("b", shape: [5, 6])
        g.markOutput(g.add(.matMul(MatMulAttributes()), a, b, name: "mm"))
        #expect(throws: GraphError.self) { try g.verify() }
        do { try g.verify() } catch { #expect({ if case .shapeMismatch = error { true } else { false } }()) }

        var h = Graph()
        let p = h.addInput("p", shape: [4, 3])
        let q = h.addInput("q", shape: [2, 3])
        h.markOutput(h.add(.binary(.add, activation: .none), p, q, name: "add"))
        do { try h.verify(); Issue.record("accepted") } catch {
            #expect({ if case .shapeMismatch(let n, _) = error { n == "node 0 'add' (add)" } else { false } }())
        }

        var k = Graph()
        let ints = k.addInput("ints", dtype: .int32, shape: [4])
        k.markOutput(k.add(.unary(.relu), ints, name: "r"))
        #expect(throws: GraphError.dtypeMismatch(node: "node 0 'r' (relu)", value: "value 0 'ints'", expected: "float32", got: .int32)) {
            try k.verify()
        }
    }

    @Test func invalidAttributes() {
        func isAttribute(_ body: () throws -> Void) -> Bool {
            do { try body(); return false } catch { if case .invalidAttribute? = error as? GraphError { return true }; return false }
        }
        #expect(isAttribute { try convGraph(weights: [6, 3, 3, 4], attrs: Conv2DAttributes(strideH: 0)).verify() })
        #expect(isAttribute { try convGraph(weights: [6, 3, 3, 1], attrs: Conv2DAttributes(groups: 3)).verify() })
        #expect(isAttribute { try convGraph(weights: [6, 3, 3, 4], attrs: Conv2DAttributes(padding: .explicit(top: -1, left: 0, bottom: 0, right: 0))).verify() })
        var g = Graph()
        let x = g.addInput("x", shape: [2, 3])
        g.markOutput(g.add(.transpose(perm: [0, 0]), x))
        #expect(isAttribute { try g.verify() })
        var h = Graph()
        let y = h.addInput("y", shape: [2, 3])
        h.markOutput(h.add(.softmax(axis: 2), y))
        #expect(isAttribute { try h.verify() })
        var k = Graph()
        let z = k.addInput("z", shape: [6])
        k.markOutput(k.add(.reshape(newShape: [-1, -1]), z))
        #expect(isAttribute { try k.verify() })
    }

    @Test func errorsNameTheNode() {
        let e = GraphError.wrongInputCount(node: "node 2 'x' (relu)", expected: "1", got: 2)
        #expect(e.description.contains("'x'"))
    }
}

@Suite struct HostileShapeTests {
    @Test func hugeShapesAndAttributesAreRejectedNotTrapped() {
        var g = Graph()
        let x = g.addInput("x", shape: [1 << 40, 1 << 40])
        g.markOutput(g.add(.unary(.relu), x))
        #expect(throws: GraphError.self) { try g.verify() }

        var h = Graph()
        let y = h.addInput("y", shape: [1, 4, 4, 1])
        h.markOutput(h.add(.pad(PadAttributes(before: [0, Int.max, 0, 0], after: [0, Int.max, 0, 0])), y))
        #expect(throws: GraphError.self) { try h.verify() }

        var k = Graph()
        let z = k.addInput("z", shape: [1, 4, 4, 1])
        k.markOutput(k.add(.pool2d(Pool2DAttributes(kind: .max, kernelH: 1, kernelW: 1, strideH: Int.max, strideW: 1,
                                                     padding: .explicit(top: Int.max, left: 0, bottom: Int.max, right: 0))), z))
        #expect(throws: GraphError.self) { try k.verify() }

        var r = Graph()
        let w = r.addInput("w", shape: [6])
        r.markOutput(r.add(.reshape(newShape: [1 << 31, 1 << 31, 1 << 31, 0]), w))
        #expect(throws: GraphError.self) { try r.verify() }
    }
}
