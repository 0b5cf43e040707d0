import ArcaTensor
import Foundation
import Testing
@testable import ArcaIR

@Suite struct GraphSerializationTests {
    func sample() throws -> Graph {
        var g = Graph()
        let x = g.addInput("x", shape: [1, 8, 8, 3])
        let w = g.addConstant("w", try Tensor(shape: [4, 3, 3, 3], scalars: (0..<108).map { Float($0) / 7 }))
        let b = g.addConstant("b", try Tensor(shape: [4], scalars: [Float](repeating: 0.5, count: 4)))
        let y = g.add(.conv2d(Conv2DAttributes(strideH: 2, strideW: 2, padding: .same, activation: .relu)), x, w, b, name: "conv")
        let z = g.add(.resizeBilinear(ResizeAttributes(outH: 8, outW: 8, mode: .halfPixel)), y, name: "up")
        g.markOutput(z)
        return g
    }

    @Test func roundTripsStructureAndWeights() throws {
        let g = try sample()
        let (json, weights) = try g.serialized()
        let back = try Graph(serialized: json, weights: weights)
        #expect(back.nodes == g.nodes)
        #expect(back.values == g.values)
        #expect(back.inputs == g.inputs && back.outputs == g.outputs)
        #expect(back.constants.count == 2)
        for (id, t) in g.constants {
            #expect(try back.constants[id]?.scalars(as: Float.self) == t.scalars(as: Float.self))
        }
    }

    @Test func rejectsConstantsOutsideTheBlob() throws {
        let (json, weights) = try sample().serialized()
        #expect(throws: GraphSerializationError.self) { try Graph(serialized: json, weights: Array(weights.prefix(weights.count - 4))) }
    }

    @Test func rejectsGarbageAndBadIDs() throws {
        #expect(throws: GraphSerializationError.self) { try Graph(serialized: Array("{\"format\":1}".utf8), weights: []) }
        #expect(throws: GraphSerializationError.self) { try Graph(serialized: [0xff, 0x00, 0x12], weights: []) }
        let (json, weights) = try sample().serialized()
        var text = String(decoding: json, as: UTF8.self)
        text = text.replacingOccurrences(of: "\"outputs\":[4]", with: "\"outputs\":[99]")
        #expect(throws: GraphSerializationError.self) { try Graph(serialized: Array(text.utf8), weights: weights) }
    }

    @Test func constantsBorrowAMappedFileOnlyWithinItAndAligned() throws {
        let g = try sample()
        let (json, weights) = try g.serialized()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("arca-weights-\(UUID().uuidString)").path
        try Data([UInt8](repeating: 0, count: 64) + weights).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try MappedFile(path: path)
        let back = try Graph(serialized: json, weightsIn: file, offset: 64, count: weights.count)
        for (id, t) in g.constants {
            #expect(try back.constants[id]?.scalars(as: Float.self) == t.scalars(as: Float.self))
            #expect(back.constants[id]?.storage.owner === file)
        }
        #expect(throws: GraphSerializationError.self) { try Graph(serialized: json, weightsIn: file, offset: 32, count: weights.count) }
        #expect(throws: GraphSerializationError.self) { try Graph(serialized: json, weightsIn: file, offset: 64, count: weights.count + 1) }
        #expect(throws: GraphSerializationError.self) { try Graph(serialized: json, weightsIn: file, offset: 64, count: weights.count - 4) }
        let empty = path + ".empty"
        FileManager.default.createFile(atPath: empty, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(throws: MappedFileError.self) { try MappedFile(path: empty) }
        #expect(throws: MappedFileError.self) { try MappedFile(path: path + ".missing") }
    }
}
