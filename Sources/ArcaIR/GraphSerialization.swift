import ArcaTensor
import Foundation

/// Errors decoding a serialized graph (the registry's graph and weights layers).
public enum GraphSerializationError: Error, Equatable, CustomStringConvertible {
    case tooLarge(bytes: Int, limit: Int)
    case malformed(String)
    case constantOutOfRange(name: String)
    case badValueID(Int)

    public var description: String {
        switch self {
        case .tooLarge(let b, let l): "serialized graph of \(b) bytes exceeds the limit of \(l)"
        case .malformed(let s): "malformed serialized graph: \(s)"
        case .constantOutOfRange(let n): "constant '\(n)' lies outside the weights blob"
        case .badValueID(let v): "value id \(v) out of range"
        }
    }
}

/// The on-disk form of a ``Graph``: structure as JSON, constants as one
/// contiguous weights blob with 64-byte aligned entries.
public struct SerializedGraph: Codable, Sendable {
    public struct Value: Codable, Sendable {
        public var name: String
        public var dtype: DType
        public var shape: [Int]
    }
    public struct NodeRecord: Codable, Sendable {
        public var op: Op
        public var inputs: [Int]
        public var outputs: [Int]
        public var name: String
    }
    public struct Constant: Codable, Sendable {
        public var value: Int
        public var offset: Int
        public var byteCount: Int
    }
    public var format: String = "arca.graph.v1"
    public var values: [Value]
    public var nodes: [NodeRecord]
    public var inputs: [Int]
    public var outputs: [Int]
    public var constants: [Constant]

    /// Graph JSON size cap: structure only, weights are separate.
    public static let maxGraphBytes = 16 << 20
}

extension Graph {
    /// Splits the graph into its JSON structure and its weights blob.
    public func serialized() throws -> (graph: [UInt8], weights: [UInt8]) {
        let layout = try serializedLayout()
        var weights = [UInt8](repeating: 0, count: layout.weightsByteCount)
        weights.withUnsafeMutableBytes { dst in
            for (offset, t) in layout.constants {
                t.withUnsafeBytes { src in
                    if let b = src.baseAddress { (dst.baseAddress! + offset).copyMemory(from: b, byteCount: src.count) }
                }
            }
        }
        return (layout.graph, weights)
    }

    /// The JSON structure and where each constant goes in the weights blob (64-byte aligned
    /// entries, zeros between them), for writers that stream the blob instead of building it.
    public func serializedLayout() throws -> (graph: [UInt8], constants: [(offset: Int, tensor: Tensor)], weightsByteCount: Int) {
        var end = 0
        var placed: [(offset: Int, tensor: Tensor)] = []
        var records: [SerializedGraph.Constant] = []
        for id in constants.keys.sorted() {
            guard let t = constants[id] else { continue }
            let offset = (end + 63) / 64 * 64
            let count = t.count * t.dtype.byteSize
            placed.append((offset, t))
            records.append(.init(value: id, offset: offset, byteCount: count))
            end = offset + count
        }
        let s = SerializedGraph(
            values: values.map { .init(name: $0.name, dtype: $0.dtype, shape: $0.shape) },
            nodes: nodes.map { .init(op: $0.op, inputs: $0.inputs, outputs: $0.outputs, name: $0.name) },
            inputs: inputs, outputs: outputs, constants: records)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (Array(try encoder.encode(s)), placed, end)
    }

    /// Rebuilds a graph; every id, offset and size is checked. Run `verify()` afterwards.
    public init(serialized graph: [UInt8], weights: [UInt8]) throws {
        try self.init(serialized: graph, weightsByteCount: weights.count) { offset, count in
            weights.withUnsafeBytes { TensorStorage(copying: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + count)])) }
        }
    }

    /// Rebuilds a graph whose constants borrow `count` bytes of `file` from `offset` (a multiple
    /// of 64) instead of copying them: they stay in the page cache until a kernel touches them.
    /// Every id, offset and size is checked as for a blob. Run `verify()` afterwards.
    public init(serialized graph: [UInt8], weightsIn file: MappedFile, offset: Int, count: Int) throws {
        guard offset >= 0, count >= 0, offset % TensorStorage.alignment == 0, offset <= file.byteCount, file.byteCount - offset >= count else {
            throw GraphSerializationError.malformed("weights at \(offset) (\(count) bytes) outside a \(file.byteCount)-byte file")
        }
        try self.init(serialized: graph, weightsByteCount: count) { at, n in
            guard let s = TensorStorage(borrowing: file.bytes + offset + at, byteCount: n, owner: file) else {
                throw GraphSerializationError.malformed("constant at \(at) is not 64-byte aligned")
            }
            return s
        }
    }

    private init(serialized graph: [UInt8], weightsByteCount: Int, storage: (_ offset: Int, _ count: Int) throws -> TensorStorage) throws {
        guard graph.count <= SerializedGraph.maxGraphBytes else {
            throw GraphSerializationError.tooLarge(bytes: graph.count, limit: SerializedGraph.maxGraphBytes)
        }
        let s: SerializedGraph
        do { s = try JSONDecoder().decode(SerializedGraph.self, from: Data(graph)) } catch {
            throw GraphSerializationError.malformed("\(error)")
        }
        guard s.format == "arca.graph.v1" else { throw GraphSerializationError.malformed("unknown format '\(s.format)'") }
        self.init()
        for v in s.values {
            // -1 marks a dimension fixed only at planning time; the rest must not overflow.
            guard v.shape.allSatisfy({ $0 >= -1 }), (try? Shape(v.shape.map { max($0, 0) }).validated()) != nil else {
                throw GraphSerializationError.malformed("shape \(v.shape) of '\(v.name)'")
            }
            values.append(ValueInfo(name: v.name, dtype: v.dtype, shape: v.shape))
        }
        let n = values.count
        func check(_ ids: [Int]) throws {
            for id in ids where id < 0 || id >= n { throw GraphSerializationError.badValueID(id) }
        }
        try check(s.inputs)
        try check(s.outputs)
        for r in s.nodes {
            try check(r.inputs)
            try check(r.outputs)
            nodes.append(Node(op: r.op, inputs: r.inputs, outputs: r.outputs, name: r.name))
        }
        inputs = s.inputs
        outputs = s.outputs
        for c in s.constants {
            try check([c.value])
            let info = values[c.value]
            guard info.shape.allSatisfy({ $0 >= 0 }) else { throw GraphSerializationError.malformed("constant '\(info.name)' has an unknown dimension") }
            let need = Shape(info.shape).count * info.dtype.byteSize
            guard c.offset >= 0, c.byteCount == need, c.offset <= weightsByteCount, weightsByteCount - c.offset >= need else {
                throw GraphSerializationError.constantOutOfRange(name: info.name)
            }
            constants[c.value] = try Tensor(storage: try storage(c.offset, need), dtype: info.dtype, shape: Shape(info.shape))
        }
    }
}
