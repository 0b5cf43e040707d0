import ArcaImport
import ArcaIR
import ArcaKernels
import ArcaRegistry
import ArcaRuntime
import ArcaTensor
import Foundation

/// A raw model graph from a zoo reference or a model file path, for running and benchmarking.
public struct ZooGraph: Sendable {
    public var graph: Graph
    /// The zoo model name and variant tag, or the path for files.
    public var model: String
    public var variant: String
    /// The zoo task, nil for model files.
    public var task: ZooTask?

    /// `ref` is a path when it names an existing file or folder (or contains `/`), else `NAME[:VARIANT]`.
    /// With a `store`, zoo references resolve through it (installing the catalog on first use).
    public init(_ ref: String, catalog: ZooCatalog, store: ModelStore? = nil) throws {
        if ref.contains("/") || FileManager.default.fileExists(atPath: ref) {
            graph = try ZooLoader.importGraph(path: ref)
            (model, variant, task) = (ref, "", nil)
        } else {
            let r = try ZooLoader.resolve(ref, catalog: catalog, store: store)
            let name = (try? catalog.resolve(ref).model.name) ?? String(ref.split(separator: ":").first ?? "")
            graph = r.graph
            (model, variant, task) = (name, r.variant.tag, r.task)
        }
    }

    /// Input values of the graph: name, dtype, declared shape (-1 for free dims).
    public var inputs: [ValueInfo] { graph.inputs.map { graph.values[$0] } }

    /// Deterministic random inputs in the model's range: images in [-1, 1] (face detection) or
    /// [0, 1] (segmentation and unknown float inputs); BERT-style `input_ids` (valid ids, [CLS]
    /// first, [SEP] last), all-ones `attention_mask`, `position_ids` 0..<S. Free dims become
    /// 1 (leading) or `seq` (others).
    public func randomInputs(seq: Int = 128, seed: UInt64 = 1) throws -> [String: Tensor] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }
        let (lo, hi): (Float, Float) = task == .faceDetection ? (-1, 1) : (0, 1)
        var out: [String: Tensor] = [:]
        for v in inputs {
            let dims = v.shape.enumerated().map { i, d in d >= 0 ? d : (i == 0 && v.shape.count > 1 ? 1 : seq) }
            let count = dims.reduce(1, *)
            guard count <= 1 << 28 else { throw ZooError.badReference("input \(v.name) of \(dims) is too large") }
            let name = v.name.lowercased()
            let last = max(1, dims.last ?? 1)
            func intValue(_ i: Int) -> Int {
                if name.contains("mask") { return 1 }
                if name.contains("position") { return i % last }
                if name.contains("type") { return 0 }
                let j = i % last
                return j == 0 ? 101 : j == last - 1 ? 102 : 1000 + Int(next() % 20000)
            }
            switch v.dtype {
            case .float32:
                out[v.name] = try Tensor(shape: Shape(dims), scalars: (0..<count).map { i in
                    name.contains("mask") ? 1 : lo + (hi - lo) * unit()
                })
            case .int32: out[v.name] = try Tensor(shape: Shape(dims), scalars: (0..<count).map { Int32(intValue($0)) })
            case .int64: out[v.name] = try Tensor(shape: Shape(dims), scalars: (0..<count).map { Int64(intValue($0)) })
            default: throw ZooError.badReference("input \(v.name) has dtype \(v.dtype), which random inputs do not support")
            }
        }
        return out
    }

    /// A plan for the optimized graph at these inputs' shapes.
    public func plan(for inputs: [String: Tensor], pool: ThreadPool) throws -> Plan {
        try Plan(graph: graph.optimized(), inputShapes: inputs.mapValues(\.shape.dims), pool: pool)
    }

    /// A file name for an output value: `/`, `:` and other path-unsafe characters become `_`.
    public static func fileName(forOutput name: String) -> String {
        let safe = String(name.map { c -> Character in
            c == "/" || c == ":" || c == "\\" || c == "\0" || c.isNewline ? "_" : c
        })
        return safe.isEmpty || safe == "." || safe == ".." ? "_" + safe : safe
    }
}
