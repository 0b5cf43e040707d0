import ArcaIR
import ArcaTensor
import Testing
@testable import ArcaRuntime

/// Equal large constants of different graphs end up in one storage; anything else stays apart.
@Suite struct ConstantPoolTests {
    static func graph(_ tables: [[Float]], shape: [Int]) throws -> (Graph, [ValueID]) {
        var g = Graph()
        let x = g.addInput("x", shape: shape)
        var ids: [ValueID] = []
        for (i, t) in tables.enumerated() {
            let c = g.addConstant("c\(i)", try Tensor(shape: Shape(shape), scalars: t))
            ids.append(c)
            g.markOutput(g.addNode(.binary(.add, activation: .none), inputs: [x, c], name: "add\(i)")[0])
        }
        return (g, ids)
    }

    @Test func equalConstantsShareStorage() throws {
        let n = 1 << 16
        let table = (0..<n).map { Float($0 % 977) * 0.5 }
        var changed = table
        changed[n - 1] += 1  // same shape, one element apart: the bytes decide
        let small = [Float](repeating: 1, count: 4)
        let pool = ConstantPool(minimumBytes: 1024)
        var (a, aIDs) = try Self.graph([table, changed], shape: [n])
        #expect(pool.intern(&a) == 0)
        var (b, bIDs) = try Self.graph([table], shape: [n])
        #expect(pool.intern(&b) == n * 4)
        #expect(b.constants[bIDs[0]]!.storage === a.constants[aIDs[0]]!.storage)
        #expect(b.constants[bIDs[0]]!.storage !== a.constants[aIDs[1]]!.storage)
        var (c, cIDs) = try Self.graph([changed], shape: [n])
        #expect(pool.intern(&c) == n * 4)
        #expect(c.constants[cIDs[0]]!.storage === a.constants[aIDs[1]]!.storage)
        var (d, dIDs) = try Self.graph([table.reversed()], shape: [n])
        #expect(pool.intern(&d) == 0)
        #expect(d.constants[dIDs[0]]!.storage !== a.constants[aIDs[0]]!.storage)
        var (e, eIDs) = try Self.graph([small], shape: [4])
        var (f, fIDs) = try Self.graph([small], shape: [4])
        #expect(pool.intern(&e) == 0 && pool.intern(&f) == 0, "constants under minimumBytes are left alone")
        #expect(e.constants[eIDs[0]]!.storage !== f.constants[fIDs[0]]!.storage)
        // The shared graph still computes the same.
        let x = try Tensor(shape: [n], scalars: [Float](repeating: 2, count: n))
        let out = try Plan(graph: b, inputShapes: nil).run(inputs: ["x": x])
        #expect(try out.values.first!.scalars(as: Float.self) == table.map { $0 + 2 })
    }

    @Test func hashSeesEveryByte() {
        var bytes = [UInt8](repeating: 7, count: 1000)
        let h0 = bytes.withUnsafeBytes(ConstantPool.hash)
        for i in [0, 31, 32, 500, 995, 999] {
            bytes[i] ^= 1
            #expect(bytes.withUnsafeBytes(ConstantPool.hash) != h0, "byte \(i)")
            bytes[i] ^= 1
        }
        #expect(bytes.withUnsafeBytes(ConstantPool.hash) == h0)
    }
}
