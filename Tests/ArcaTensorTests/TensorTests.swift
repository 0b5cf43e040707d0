import Foundation
import Testing
@testable import ArcaTensor

@Suite struct TensorTests {
    @Test func copyOnWriteKeepsValuesIndependent() throws {
        let a = try Tensor(shape: [2, 3], scalars: [Float](arrayLiteral: 1, 2, 3, 4, 5, 6))
        var b = a
        try b.withUnsafeMutableBufferPointer(as: Float.self) { $0[0] = 100 }
        #expect(try a.scalars(as: Float.self)[0] == 1)
        #expect(try b.scalars(as: Float.self)[0] == 100)
    }

    @Test func viewsShareStorageUntilWritten() throws {
        let a = try Tensor(shape: [2, 3], scalars: (0..<6).map(Float.init))
        let t = try a.permuted([1, 0])
        #expect(t.shape == [3, 2])
        #expect(!t.isContiguous)
        #expect(try t.scalars(as: Float.self) == [0, 3, 1, 4, 2, 5])
        let s = try a.slice(axis: 1, 1..<3)
        #expect(try s.scalars(as: Float.self) == [1, 2, 4, 5])
        #expect(t.storage === a.storage)
        let r = try a.reshaped([3, -1])
        #expect(r.shape == [3, 2])
        #expect(throws: TensorError.self) { try a.reshaped([4, -1]) }
        #expect(throws: TensorError.self) { try a.permuted([0, 0]) }
        #expect(throws: TensorError.self) { try a.slice(axis: 1, 2..<4) }
    }

    @Test func convertsBetweenDTypes() throws {
        let a = try Tensor(shape: [4], scalars: [Float](arrayLiteral: -1.5, 0.25, 300, 65504))
        let h = a.converted(to: .float16)
        #expect(h.dtype == .float16)
        #expect(h.floats() == [-1.5, 0.25, 300, 65504])
        let i8 = a.converted(to: .int8)
        #expect(try i8.scalars(as: Int8.self) == [-2, 0, 127, 127])
        let u8 = a.converted(to: .uint8)
        #expect(try u8.scalars(as: UInt8.self) == [0, 0, 255, 255])
        #expect(a.converted(to: .int64).ints() == [-2, 0, 300, 65504])
        #expect(try Tensor(shape: [3], bools: [true, false, true]).ints() == [1, 0, 1])
    }

    @Test func rejectsBadShapesAndCounts() {
        #expect(throws: TensorError.self) { try Shape([2, -1]).validated() }
        #expect(throws: TensorError.self) { try Shape([Int.max / 2, 4]).validated() }
        #expect(throws: TensorError.self) { try Tensor(shape: [2, 2], scalars: [Float](repeating: 0, count: 3)) }
        let storage = TensorStorage(byteCount: 16)
        #expect(throws: TensorError.self) { try Tensor(storage: storage, dtype: .float32, shape: [5]) }
        #expect(throws: TensorError.self) { try Tensor(storage: storage, dtype: .float32, shape: [2], offset: 3) }
    }
}

@Suite struct NPYTests {
    @Test(arguments: DType.allCases)
    func roundTrips(dtype: DType) throws {
        let base = try Tensor(shape: [2, 3, 1], scalars: [Float](arrayLiteral: 0, 1, 2, 3, 4, 5))
        let t = base.converted(to: dtype)
        let back = try NPY.decode(NPY.encode(t))
        #expect(back.dtype == dtype)
        #expect(back.shape == [2, 3, 1])
        #expect(back.floats() == t.floats())
    }

    @Test func readsNumpyWrittenFixture() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("Tests/Fixtures/vision/face_detection_short_range")
        let t = try NPY.read(dir.appendingPathComponent("photo.regressors.npy"))
        #expect(t.dtype == .float32)
        #expect(t.shape == [1, 896, 16])
        #expect(t.floats().contains { $0 != 0 })
    }

    @Test func rejectsMalformedFiles() throws {
        let good = NPY.encode(try Tensor(shape: [4], scalars: [Float](arrayLiteral: 1, 2, 3, 4)))
        #expect(throws: NPYError.self) { try NPY.decode(Array(good.prefix(good.count - 1))) }
        #expect(throws: NPYError.self) { try NPY.decode(Array(good.prefix(8))) }
        #expect(throws: NPYError.self) { try NPY.decode([UInt8](repeating: 7, count: 200)) }
        var text = String(decoding: good, as: UTF8.self)
        text = text.replacingOccurrences(of: "(4,)", with: "(99999999999,)")
        #expect(throws: NPYError.self) { try NPY.decode(Array(text.utf8)) }
        var fortran = String(decoding: good, as: UTF8.self)
        fortran = fortran.replacingOccurrences(of: "False", with: "True ")
        #expect(throws: NPYError.self) { try NPY.decode(Array(fortran.utf8)) }
    }
}
