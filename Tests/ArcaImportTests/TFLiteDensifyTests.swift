import Testing
@testable import ArcaImport

/// Cases follow the TFLite sparsity format documentation (schema.fbs comments) and the
/// `FormatConverter` examples: a 4x4 matrix stored CSR, column-major, and with 2x2 blocks.
@Suite struct TFLiteDensifyTests {
    // [[6, 0, 9, 8],
    //  [0, 0, 0, 0],
    //  [5, 0, 0, 0],
    //  [0, 0, 0, 7]]
    static let dense: [Float] = [6, 0, 9, 8, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 7]

    @Test func csrRowMajor() throws {
        let s = TFLiteSparsity(traversalOrder: [0, 1], blockMap: [],
                               dimMetadata: [.dense(size: 4), .sparseCSR(segments: [0, 3, 3, 4, 5], indices: [0, 2, 3, 0, 3])])
        #expect(try TFLiteDensify.densify(values: [6, 9, 8, 5, 7] as [Float], shape: [4, 4], sparsity: s, zero: 0) == Self.dense)
    }

    @Test func csrColumnMajor() throws {
        // Traverse columns first: column 0 holds rows 0,2; column 2 row 0; column 3 rows 0,3.
        let s = TFLiteSparsity(traversalOrder: [1, 0], blockMap: [],
                               dimMetadata: [.dense(size: 4), .sparseCSR(segments: [0, 2, 2, 3, 5], indices: [0, 2, 0, 0, 3])])
        #expect(try TFLiteDensify.densify(values: [6, 5, 9, 8, 7] as [Float], shape: [4, 4], sparsity: s, zero: 0) == Self.dense)
    }

    @Test func blockSparse2x2() throws {
        // Block grid 2x2; blocks (0,0)=[6,0;0,0], (0,1)=[9,8;0,0], (1,0)=[5,0;0,0], (1,1)=[0,0;0,7].
        let s = TFLiteSparsity(traversalOrder: [0, 1, 2, 3], blockMap: [0, 1],
                               dimMetadata: [.dense(size: 2), .sparseCSR(segments: [0, 2, 4], indices: [0, 1, 0, 1]), .dense(size: 2), .dense(size: 2)])
        let values: [Float] = [6, 0, 0, 0, 9, 8, 0, 0, 5, 0, 0, 0, 0, 0, 0, 7]
        #expect(try TFLiteDensify.densify(values: values, shape: [4, 4], sparsity: s, zero: 0) == Self.dense)
    }

    @Test func blockSparseSkipsZeroBlocks() throws {
        // 2x4 matrix with 1x2 blocks; only block (0,1) and (1,0) stored.
        let s = TFLiteSparsity(traversalOrder: [0, 1, 2], blockMap: [1],
                               dimMetadata: [.dense(size: 2), .sparseCSR(segments: [0, 1, 2], indices: [1, 0]), .dense(size: 2)])
        let out = try TFLiteDensify.densify(values: [1, 2, 3, 4] as [Float], shape: [2, 4], sparsity: s, zero: 0)
        #expect(out == [0, 0, 1, 2, 3, 4, 0, 0])
    }

    @Test func fullyDenseIsIdentity() throws {
        let s = TFLiteSparsity(traversalOrder: [0, 1, 2], blockMap: [], dimMetadata: [.dense(size: 2), .dense(size: 3), .dense(size: 2)])
        let v: [Float] = (0..<12).map(Float.init)
        #expect(try TFLiteDensify.densify(values: v, shape: [2, 3, 2], sparsity: s, zero: 0) == v)
    }

    @Test(arguments: [
        TFLiteSparsity(traversalOrder: [0, 0], blockMap: [], dimMetadata: [.dense(size: 4), .dense(size: 4)]),
        TFLiteSparsity(traversalOrder: [0, 1], blockMap: [], dimMetadata: [.dense(size: 5), .sparseCSR(segments: [0, 5], indices: [0, 1, 2, 3, 4])]),
        TFLiteSparsity(traversalOrder: [0, 1], blockMap: [], dimMetadata: [.dense(size: 4), .sparseCSR(segments: [0, 3, 3, 4, 5], indices: [0, 2, 9, 0, 3])]),
        TFLiteSparsity(traversalOrder: [0, 1], blockMap: [], dimMetadata: [.dense(size: 4), .sparseCSR(segments: [0, 3, 2, 4, 5], indices: [0, 2, 3, 0, 3])]),
        TFLiteSparsity(traversalOrder: [0, 1], blockMap: [], dimMetadata: [.dense(size: 4), .sparseCSR(segments: [0, 3], indices: [0, 2, 3])]),
        TFLiteSparsity(traversalOrder: [0, 1], blockMap: [], dimMetadata: [.dense(size: 4)]),
        TFLiteSparsity(traversalOrder: [0, 1, 2], blockMap: [5], dimMetadata: [.dense(size: 4), .dense(size: 2), .dense(size: 2)]),
        TFLiteSparsity(traversalOrder: [0, 1, 2], blockMap: [1], dimMetadata: [.dense(size: 4), .dense(size: 2), .dense(size: 3)]),
        TFLiteSparsity(traversalOrder: [0, 1, 2, 3, 4], blockMap: [0, 1, 1], dimMetadata: [.dense(size: 4), .dense(size: 4), .dense(size: 1), .dense(size: 1), .dense(size: 1)]),
    ])
    func rejectsMalformed(_ s: TFLiteSparsity) {
        #expect(throws: TFLiteError.self) {
            try TFLiteDensify.densify(values: [6, 9, 8, 5, 7] as [Float], shape: [4, 4], sparsity: s, zero: 0)
        }
    }

    @Test func rejectsValueCountMismatch() {
        let s = TFLiteSparsity(traversalOrder: [0, 1], blockMap: [],
                               dimMetadata: [.dense(size: 4), .sparseCSR(segments: [0, 3, 3, 4, 5], indices: [0, 2, 3, 0, 3])])
        #expect(throws: TFLiteError.self) { try TFLiteDensify.densify(values: [6, 9, 8, 5] as [Float], shape: [4, 4], sparsity: s, zero: 0) }
        #expect(throws: TFLiteError.self) { try TFLiteDensify.densify(values: [6, 9, 8, 5, 7, 1] as [Float], shape: [4, 4], sparsity: s, zero: 0) }
    }
}

extension TFLiteSparsity: CustomTestStringConvertible {
    public var testDescription: String { "order \(traversalOrder) blocks \(blockMap) levels \(dimMetadata.count)" }
}
