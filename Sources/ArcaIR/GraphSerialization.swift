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
        var weights: [UInt8] = []
        var records: [SerializedGraph.Constant] = []
        for id in constants.keys.sorted() {
            guard let t = constants[id] else { continue }
            let pad = (64 - weights.count % 64) % 64
            weights += [UInt8](repeating: 0, count: pad)
            let offset = weights.count
            t.withUnsafeBytes { weights += $0 }
            records.append(.init(value: id, offset: offset, byteCount: weights.count - offset))
        }
        let s = SerializedGraph(
            values: values.map { .init(name: $0.name, dtype: $0.dtype, shape: $0.shape) },
            nodes: nodes.map { .init(op: $0.op, inputs: $0.inputs, outputs: $0.outputs, name: $0.name) },
            inputs: inputs, outputs: outputs, constants: records)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (Array(try encoder.encode(s)), weights)
    }

    /// Rebuilds a graph; every id, offset and size is checked. Run `verify()` afterwards.
    public init(serialized graph: [UInt8], weights: [UInt8]) throws {
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
            guard c.offset >= 0, c.byteCount == need, c.offset <= weights.count, weights.count - c.offset >= need else {
                throw GraphSerializationError.constantOutOfRange(name: info.name)
            }
            let storage = weights.withUnsafeBytes { TensorStorage(copying: UnsafeRawBufferPointer(rebasing: $0[c.offset..<(c.offset + need)])) }
            constants[c.value] = try Tensor(storage: storage, dtype: info.dtype, shape: Shape(info.shape))
        }
    }
}
