import ArcaTensor
import Foundation

extension TFLiteModel {
    /// Largest tensor rank accepted.
    public static let maxRank = 8

    /// Reads a `.tflite` file.
    public init(contentsOf url: URL) throws {
        try self.init(bytes: Array(try Data(contentsOf: url)))
    }

    /// Parses a `.tflite` flatbuffer; every offset, length and index is checked.
    public init(bytes: [UInt8]) throws {
        var parser = TFLiteParser(reader: FlatBufferReader(bytes))
        self = try parser.model()
    }
}

/// Decodes the schema subset into ``TFLiteModel``, charging every decoded element
/// to a work budget so that files with shared subtables cannot blow up.
struct TFLiteParser {
    let reader: FlatBufferReader
    var work = 0
    let budget: Int

    init(reader: FlatBufferReader) {
        self.reader = reader
        budget = 1 << 20 + 4 * reader.count
    }

    mutating func charge(_ n: Int) throws {
        work += n
        guard work <= budget else { throw TFLiteError.workLimitExceeded }
    }

    mutating func ints(_ t: FlatBufferTable, _ id: Int, _ name: String) throws -> [Int]? {
        let v = try t.int32s(id, name)
        try charge(1 + (v?.count ?? 0))
        return v
    }

    mutating func tables(_ t: FlatBufferTable, _ id: Int, _ name: String) throws -> [FlatBufferTable] {
        let v = try t.tables(id, name) ?? []
        try charge(1 + v.count)
        return v
    }

    func index(_ i: Int, _ count: Int, _ what: String) throws -> Int {
        guard i >= 0, i < count else { throw TFLiteError.indexOutOfRange(what: what, index: i, count: count) }
        return i
    }

    mutating func model() throws -> TFLiteModel {
        guard reader.count >= 8 else { throw TFLiteError.notTFLite("\(reader.count) bytes") }
        guard reader.fileIdentifier == "TFL3" else { throw TFLiteError.notTFLite("file identifier is not TFL3") }
        let root = try reader.root("Model")
        let version = try root.u32(0)
        let codes = try tables(root, 1, "operator_codes").map(operatorCode)
        let description = try root.string(3, "description")
        let bufferTables = try tables(root, 4, "buffers")
        let buffers = try bufferTables.map(buffer)
        let subgraphTables = try tables(root, 2, "subgraphs")
        guard !subgraphTables.isEmpty else { throw TFLiteError.noSubgraphs }
        var subgraphs: [TFLiteSubgraph] = []
        for t in subgraphTables { subgraphs.append(try subgraph(t, codes: codes, buffers: buffers)) }
        return TFLiteModel(version: version, description: description, operatorCodes: codes, subgraphs: subgraphs, bufferCount: buffers.count)
    }

    func operatorCode(_ t: FlatBufferTable) throws -> TFLiteOperatorCode {
        let code = max(Int(try t.i8(0)), Int(try t.i32(3)))
        guard code >= 0, code <= TFLiteBuiltin.maxKnown, code != TFLiteBuiltin.placeholderForGreaterOpCodes else { throw TFLiteError.unknownBuiltinCode(code) }
        return TFLiteOperatorCode(builtin: TFLiteBuiltin(rawValue: code), customCode: try t.string(1, "custom_code"), version: Int(try t.i32(2, default: 1)))
    }

    /// The byte range of a buffer's data: the inline `data` vector, or `offset`/`size` (offset > 1) from the file start.
    func buffer(_ t: FlatBufferTable) throws -> Range<Int> {
        if let r = try t.byteRange(0, "data"), !r.isEmpty { return r }
        let offset = try t.u64(1), size = try t.u64(2)
        guard offset > 1 else { return 0..<0 }
        guard offset <= UInt64(reader.count), size <= UInt64(reader.count) - offset else {
            throw TFLiteError.outOfBounds(what: "\(t.what) external data", offset: Int(clamping: offset), size: Int(clamping: size), fileSize: reader.count)
        }
        return Int(offset)..<Int(offset + size)
    }

    mutating func subgraph(_ t: FlatBufferTable, codes: [TFLiteOperatorCode], buffers: [Range<Int>]) throws -> TFLiteSubgraph {
        var tensors: [TFLiteTensor] = []
        for tt in try tables(t, 0, "tensors") { tensors.append(try tensor(tt, buffers: buffers)) }
        let inputs = try (ints(t, 1, "inputs") ?? []).map { try index($0, tensors.count, "subgraph input") }
        let outputs = try (ints(t, 2, "outputs") ?? []).map { try index($0, tensors.count, "subgraph output") }
        var ops: [TFLiteOperator] = []
        for ot in try tables(t, 3, "operators") { ops.append(try op(ot, codes: codes, tensorCount: tensors.count)) }
        return TFLiteSubgraph(name: try t.string(4, "name"), tensors: tensors, inputs: inputs, outputs: outputs, operators: ops)
    }

    mutating func op(_ t: FlatBufferTable, codes: [TFLiteOperatorCode], tensorCount: Int) throws -> TFLiteOperator {
        let opcode = try index(Int(try t.u32(0)), codes.count, "opcode")
        let code = codes[opcode]
        let inputs = try (ints(t, 1, "inputs") ?? []).map { $0 == -1 ? -1 : try index($0, tensorCount, "\(code.name) input") }
        let outputs = try (ints(t, 2, "outputs") ?? []).map { try index($0, tensorCount, "\(code.name) output") }
        var custom: [UInt8]?
        if let r = try t.byteRange(5, "custom_options") {
            try charge(r.count / 4)
            custom = Array(reader.bytes[r])
        }
        var options = try TFLiteOptionsParser.parse(builtin: code.builtin, op: t)
        if code.builtin == .custom, code.customCode == "Convolution2DTransposeBias" {
            options = try TFLiteOptionsParser.convolution2DTransposeBias(custom ?? [])
        }
        return TFLiteOperator(opcodeIndex: opcode, inputs: inputs, outputs: outputs, options: options, customOptions: custom)
    }

    mutating func tensor(_ t: FlatBufferTable, buffers: [Range<Int>]) throws -> TFLiteTensor {
        let name = try t.string(3, "name") ?? ""
        let shape = try ints(t, 0, "shape") ?? []
        guard shape.count <= TFLiteModel.maxRank, (try? Shape(shape).validated(maxElements: 1 << 31)) != nil else {
            throw TFLiteError.badShape(tensor: name, shape: shape)
        }
        let signature = try ints(t, 7, "shape_signature")
        let rawType = Int(try t.i8(1))
        guard let type = TFLiteTensorType(rawValue: rawType) else { throw TFLiteError.unsupportedTensorType(tensor: name, type: rawType) }
        let bufferIndex = try index(Int(try t.u32(2)), max(buffers.count, 1), "tensor '\(name)' buffer")
        let quantization = try t.table(4, "quantization").map { try self.quantization($0) }
        let sparsity = try t.table(6, "sparsity").map { try self.sparsity($0, tensor: name) }
        var data: Tensor?
        if bufferIndex < buffers.count, !buffers[bufferIndex].isEmpty {
            let range = buffers[bufferIndex]
            guard let dtype = type.dtype else { throw TFLiteError.unsupportedTensorType(tensor: name, type: rawType) }
            let dataShape: Shape
            if sparsity != nil {
                guard range.count % dtype.byteSize == 0 else {
                    throw TFLiteError.dataSizeMismatch(tensor: name, expected: range.count / dtype.byteSize * dtype.byteSize, got: range.count)
                }
                dataShape = [range.count / dtype.byteSize]
            } else {
                dataShape = Shape(shape)
                let expected = dataShape.count * dtype.byteSize
                guard range.count == expected else { throw TFLiteError.dataSizeMismatch(tensor: name, expected: expected, got: range.count) }
            }
            let storage = reader.bytes.withUnsafeBytes { TensorStorage(copying: UnsafeRawBufferPointer(rebasing: $0[range])) }
            data = try Tensor(storage: storage, dtype: dtype, shape: dataShape)
        }
        return TFLiteTensor(name: name, shape: shape, shapeSignature: signature, type: type, buffer: bufferIndex,
                            isVariable: try t.bool(5), quantization: quantization, sparsity: sparsity, data: data)
    }

    mutating func quantization(_ t: FlatBufferTable) throws -> TFLiteQuantization {
        let scale = try t.floats(2, "scale") ?? []
        let zero = try t.int64s(3, "zero_point") ?? []
        try charge(2 + scale.count + zero.count)
        return TFLiteQuantization(scale: scale, zeroPoint: zero, quantizedDimension: Int(try t.i32(6)))
    }

    mutating func sparsity(_ t: FlatBufferTable, tensor: String) throws -> TFLiteSparsity {
        let order = try ints(t, 0, "traversal_order") ?? []
        let blockMap = try ints(t, 1, "block_map") ?? []
        var dims: [TFLiteDimensionMetadata] = []
        for d in try tables(t, 2, "dim_metadata") {
            let format = Int(try d.i8(0))
            switch format {
            case 0:
                dims.append(.dense(size: Int(try d.i32(1))))
            case 1:
                dims.append(.sparseCSR(segments: try indexVector(d, 2, "array_segments"), indices: try indexVector(d, 4, "array_indices")))
            default:
                throw TFLiteError.invalidEnum(field: "tensor '\(tensor)' dim_metadata.format", value: format)
            }
        }
        return TFLiteSparsity(traversalOrder: order, blockMap: blockMap, dimMetadata: dims)
    }

    /// A `SparseIndexVector` union (type at `typeID`, table at `typeID + 1`): Int32Vector, Uint16Vector or Uint8Vector.
    mutating func indexVector(_ d: FlatBufferTable, _ typeID: Int, _ name: String) throws -> [Int] {
        let tag = Int(try d.u8(typeID))
        guard tag != 0 else { return [] }
        guard let table = try d.table(typeID + 1, name) else { return [] }
        let values: [Int]
        switch tag {
        case 1: values = try table.int32s(0, "values") ?? []
        case 2:
            guard let v = try table.vector(0, "values", elementSize: 2) else { return [] }
            values = try (0..<v.count).map { Int(try reader.u16(v.start + 2 * $0, v.what)) }
        case 3:
            guard let r = try table.byteRange(0, "values") else { return [] }
            values = reader.bytes[r].map(Int.init)
        default: throw TFLiteError.invalidEnum(field: "\(d.what).\(name) type", value: tag)
        }
        try charge(1 + values.count)
        return values
    }
}
