import ArcaIR
import ArcaTensor

/// Errors building a BERT graph from named weights.
public enum BertBuildError: Error, Equatable, CustomStringConvertible {
    case missingWeight(String)
    case badWeightShape(name: String, expected: [Int], got: [Int])
    case invalidDimensions(String)

    public var description: String {
        switch self {
        case .missingWeight(let n): "weight '\(n)' is missing"
        case .badWeightShape(let n, let e, let g): "weight '\(n)' has shape \(g), expected \(e)"
        case .invalidDimensions(let s): "invalid BERT dimensions: \(s)"
        }
    }
}

/// The sizes a BERT encoder graph needs.
public struct BertDimensions: Sendable, Hashable {
    public var hidden: Int
    public var layers: Int
    public var heads: Int
    public var intermediate: Int
    public var vocab: Int
    public var maxPositions: Int
    public var typeVocab: Int
    public var layerNormEpsilon: Float

    public init(hidden: Int, layers: Int, heads: Int, intermediate: Int, vocab: Int,
                maxPositions: Int, typeVocab: Int, layerNormEpsilon: Float) {
        self.hidden = hidden; self.layers = layers; self.heads = heads; self.intermediate = intermediate
        self.vocab = vocab; self.maxPositions = maxPositions; self.typeVocab = typeVocab
        self.layerNormEpsilon = layerNormEpsilon
    }

    func validate() throws {
        guard hidden > 0, layers > 0, layers <= 256, heads > 0, hidden % heads == 0, intermediate > 0,
              vocab > 0, maxPositions > 0, typeVocab > 0, layerNormEpsilon > 0, layerNormEpsilon.isFinite else {
            throw BertBuildError.invalidDimensions("hidden \(hidden), layers \(layers), heads \(heads), intermediate \(intermediate)")
        }
    }
}

/// Builds the sentence-embedding graph of a BERT encoder (as sentence-transformers runs it).
///
/// Inputs: `input_ids` [B, S] int32, `attention_mask` [B, S] float32 (1 real token, 0 padding),
/// `position_ids` [S] int32 (0..<S). Outputs: `embedding` [B, hidden] (masked mean pooling,
/// L2-normalized) and, when asked, `token_embeddings` [B, S, hidden].
/// Q, K and V are one fused projection per layer; GELU is the exact erf form.
public enum BertGraphBuilder {
    public static func build(_ dims: BertDimensions, normalize: Bool = true, tokenEmbeddings: Bool = false,
                             weight: (String) throws -> Tensor?) throws -> Graph {
        try dims.validate()
        let d = dims.hidden
        var g = Graph()

        func load(_ name: String, _ shape: [Int]) throws -> Tensor {
            guard let t = try weight(name) ?? weight("bert." + name) else { throw BertBuildError.missingWeight(name) }
            guard t.shape.dims == shape else { throw BertBuildError.badWeightShape(name: name, expected: shape, got: t.shape.dims) }
            return t.converted(to: .float32)
        }
        func constant(_ name: String, _ shape: [Int]) throws -> ValueID {
            g.addConstant(name, try load(name, shape))
        }

        let ids = g.addInput("input_ids", dtype: .int32, shape: [-1, -1])
        let mask = g.addInput("attention_mask", dtype: .float32, shape: [-1, -1])
        let positions = g.addInput("position_ids", dtype: .int32, shape: [-1])

        let word = g.add(.gather(axis: 0), try constant("embeddings.word_embeddings.weight", [dims.vocab, d]), ids, name: "embeddings.word")
        let pos = g.add(.gather(axis: 0), try constant("embeddings.position_embeddings.weight", [dims.maxPositions, d]), positions, name: "embeddings.position")
        // Token type ids are all zero for single sentences: row 0 of the table.
        let typeTable = try load("embeddings.token_type_embeddings.weight", [dims.typeVocab, d])
        let typeRow = g.addConstant("embeddings.token_type_embeddings.row0", try typeTable.slice(axis: 0, 0..<1).reshaped([d]).contiguous())
        var x = g.add(.binary(.add, activation: .none), word, pos, name: "embeddings.sum")
        x = g.add(.binary(.add, activation: .none), x, typeRow, name: "embeddings.sum_type")
        x = g.add(.layerNorm(epsilon: dims.layerNormEpsilon), x,
                  try constant("embeddings.LayerNorm.weight", [d]), try constant("embeddings.LayerNorm.bias", [d]),
                  name: "embeddings.LayerNorm")

        let scale = 1 / Float(d / dims.heads).squareRoot()
        for i in 0..<dims.layers {
            let p = "encoder.layer.\(i)."
            let qkvW = try concatRows([load(p + "attention.self.query.weight", [d, d]),
                                       load(p + "attention.self.key.weight", [d, d]),
                                       load(p + "attention.self.value.weight", [d, d])])
            let qkvB = try concatRows([load(p + "attention.self.query.bias", [d]),
                                       load(p + "attention.self.key.bias", [d]),
                                       load(p + "attention.self.value.bias", [d])])
            let qkv = g.add(.matMul(MatMulAttributes(transposeB: true)), x,
                            g.addConstant(p + "attention.self.qkv.weight", qkvW), g.addConstant(p + "attention.self.qkv.bias", qkvB),
                            name: p + "attention.self.qkv")
            let ctx = g.add(.attention(AttentionAttributes(heads: dims.heads, scale: scale, packedQKV: true)), qkv, mask,
                            name: p + "attention.self")
            var o = g.add(.matMul(MatMulAttributes(transposeB: true)), ctx,
                          try constant(p + "attention.output.dense.weight", [d, d]), try constant(p + "attention.output.dense.bias", [d]),
                          name: p + "attention.output.dense")
            o = g.add(.binary(.add, activation: .none), o, x, name: p + "attention.output.residual")
            x = g.add(.layerNorm(epsilon: dims.layerNormEpsilon), o,
                      try constant(p + "attention.output.LayerNorm.weight", [d]), try constant(p + "attention.output.LayerNorm.bias", [d]),
                      name: p + "attention.output.LayerNorm")
            let h = g.add(.matMul(MatMulAttributes(transposeB: true, activation: .gelu)), x,
                          try constant(p + "intermediate.dense.weight", [dims.intermediate, d]),
                          try constant(p + "intermediate.dense.bias", [dims.intermediate]),
                          name: p + "intermediate.dense")
            var y = g.add(.matMul(MatMulAttributes(transposeB: true)), h,
                          try constant(p + "output.dense.weight", [d, dims.intermediate]), try constant(p + "output.dense.bias", [d]),
                          name: p + "output.dense")
            y = g.add(.binary(.add, activation: .none), y, x, name: p + "output.residual")
            x = g.add(.layerNorm(epsilon: dims.layerNormEpsilon), y,
                      try constant(p + "output.LayerNorm.weight", [d]), try constant(p + "output.LayerNorm.bias", [d]),
                      name: p + "output.LayerNorm")
        }
        g.values[x].name = "token_embeddings"
        var pooled = g.add(.maskedMean, x, mask, name: "pooling.mean")
        if normalize { pooled = g.add(.l2Normalize(epsilon: 1e-12), pooled, name: "normalize") }
        g.values[pooled].name = "embedding"
        g.markOutput(pooled)
        if tokenEmbeddings { g.markOutput(x) }
        return g
    }

    /// Stacks tensors along axis 0 (all float32, same trailing shape).
    static func concatRows(_ parts: [Tensor]) throws -> Tensor {
        guard let first = parts.first else { throw BertBuildError.invalidDimensions("nothing to concatenate") }
        var floats: [Float] = []
        for p in parts { floats += try p.scalars(as: Float.self) }
        var dims = first.shape.dims
        dims[0] = parts.reduce(0) { $0 + $1.shape[0] }
        return try Tensor(shape: Shape(dims), scalars: floats)
    }
}
