import ArcaTensor
import Foundation
import Testing
@testable import ArcaImport

/// Expected facts come from LiteRT 2.3.0's interpreter (`get_tensor_details`, `_get_ops_details`,
/// input/output details) on the pinned files; MODELS.md lists the same inputs and outputs.
@Suite struct TFLiteRealModelTests {
    struct Expected: Sendable, CustomStringConvertible {
        var model: String
        var tensors: Int
        var inputs: [(String, [Int])]
        var outputs: [(String, [Int])]
        var ops: [String: Int]
        var description: String { model }
    }

    static let cases: [Expected] = [
        Expected(model: "face_detection_short_range", tensors: 250,
                 inputs: [("input", [1, 128, 128, 3])], outputs: [("regressors", [1, 896, 16]), ("classificators", [1, 896, 1])],
                 ops: ["ADD": 16, "CONCATENATION": 2, "CONV_2D": 21, "DEPTHWISE_CONV_2D": 16, "DEQUANTIZE": 74, "MAX_POOL_2D": 3, "PAD": 11, "RELU": 17, "RESHAPE": 4]),
        Expected(model: "face_detection_full_range_sparse", tensors: 577,
                 inputs: [("input_1", [1, 192, 192, 3])], outputs: [("Identity", [1, 2304, 16]), ("Identity_1", [1, 2304, 1])],
                 ops: ["ADD": 19, "CONV_2D": 49, "DENSIFY": 46, "DEPTHWISE_CONV_2D": 42, "DEPTH_TO_SPACE": 2, "DEQUANTIZE": 182, "PAD": 43, "RESHAPE": 2, "RESIZE_BILINEAR": 3]),
        Expected(model: "selfie_segmentation", tensors: 360,
                 inputs: [("input_1", [1, 256, 256, 3])], outputs: [("activation_10", [1, 256, 256, 1])],
                 ops: ["ADD": 14, "AVERAGE_POOL_2D": 10, "CONV_2D": 43, "Convolution2DTransposeBias": 1, "DEPTHWISE_CONV_2D": 11, "DEQUANTIZE": 110,
                       "HARD_SWISH": 11, "LOGISTIC": 11, "MUL": 10, "RELU": 22, "RESIZE_BILINEAR": 3]),
        Expected(model: "selfie_segmentation_landscape", tensors: 370,
                 inputs: [("input_1", [1, 144, 256, 3])], outputs: [("segment_back", [1, 144, 256, 1])],
                 ops: ["ADD": 14, "CONV_2D": 43, "Convolution2DTransposeBias": 1, "DEPTHWISE_CONV_2D": 11, "DEQUANTIZE": 110,
                       "HARD_SWISH": 11, "LOGISTIC": 11, "MEAN": 10, "MUL": 10, "RELU": 22, "RESIZE_BILINEAR": 3]),
    ]

    @Test(arguments: cases)
    func loadsRealModel(_ e: Expected) throws {
        guard ModelPaths.exists(e.model) else { return }
        let m = try TFLiteModel(contentsOf: ModelPaths.mediapipe(e.model))
        let g = m.main
        #expect(m.version == 3)
        #expect(g.tensors.count == e.tensors)
        #expect(g.inputs.map { g.tensors[$0].name } == e.inputs.map(\.0))
        #expect(g.inputs.map { g.tensors[$0].shape } == e.inputs.map(\.1))
        #expect(g.outputs.map { g.tensors[$0].name } == e.outputs.map(\.0))
        #expect(g.outputs.map { g.tensors[$0].shape } == e.outputs.map(\.1))
        #expect(m.opHistogram() == e.ops)
        try TFLiteOpTable.check(m)

        // Every DEQUANTIZE/DENSIFY output folds to a dense fp32 tensor of the declared shape.
        let folded = try m.foldedConstants()
        for op in g.operators where [.dequantize, .densify].contains(m.operatorCodes[op.opcodeIndex].builtin) {
            let out = try #require(folded[op.outputs[0]], "\(g.tensors[op.outputs[0]].name) not folded")
            #expect(out.dtype == .float32)
            #expect(out.shape.dims == g.tensors[op.outputs[0]].shape)
            #expect(out.floats().allSatisfy { $0.isFinite })
        }
        for op in g.operators {
            switch m.operatorCodes[op.opcodeIndex].builtin {
            case .conv2D, .depthwiseConv2D:
                let w = g.tensors[op.inputs[1]]
                #expect(w.rank4, "\(w.name) \(w.shape)")
                #expect(folded[op.inputs[1]] != nil, "conv weight \(w.name) not constant")
            default: break
            }
        }
    }

    @Test func transposeConvBiasCustomOptions() throws {
        for name in ["selfie_segmentation", "selfie_segmentation_landscape"] where ModelPaths.exists(name) {
            let m = try TFLiteModel(contentsOf: ModelPaths.mediapipe(name))
            let ops = m.main.operators.filter { m.operatorCodes[$0.opcodeIndex].name == "Convolution2DTransposeBias" }
            #expect(ops.count == 1)
            #expect(ops.first?.options == .transposeConv(TFLiteTransposeConvOptions(padding: .same, strideW: 2, strideH: 2, activation: .none)))
            if let op = ops.first {
                #expect(m.main.tensors[op.inputs[1]].shape == [1, 2, 2, 16])
                #expect(m.main.tensors[op.inputs[2]].shape == [1])
            }
        }
    }

    @Test func sparseTensorsDensify() throws {
        guard ModelPaths.exists("face_detection_full_range_sparse") else { return }
        let m = try TFLiteModel(contentsOf: ModelPaths.mediapipe("face_detection_full_range_sparse"))
        let sparse = m.main.tensors.filter { $0.sparsity != nil }
        #expect(sparse.count == 46)
        for t in sparse {
            let values = try #require(t.data)
            let sparsity = try #require(t.sparsity)
            let dense = try TFLiteModel.densify(values: values, shape: t.shape, sparsity: sparsity, tensor: t.name)
            // Every stored value lands somewhere: the non-zero count cannot exceed the stored count,
            // and the multiset of non-zero values is preserved.
            let stored = values.floats().filter { $0 != 0 }.sorted()
            let nonzero = dense.floats().filter { $0 != 0 }.sorted()
            #expect(stored == nonzero, "\(t.name)")
            #expect(dense.count == t.shape.reduce(1, *))
        }
    }
}

extension TFLiteTensor {
    var rank4: Bool { shape.count == 4 }
}

/// DENSIFY outputs against LiteRT's own densified tensors (checksums from Tools/gen-densify-fixture).
@Suite struct TFLiteDensifyLiteRTTests {
    @Test func matchesLiteRT() throws {
        guard ModelPaths.exists("face_detection_full_range_sparse") else { return }
        let url = ModelPaths.packageRoot.appendingPathComponent("Tests/Fixtures/vision/face_detection_full_range_sparse/densify.json")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let entries = try #require(doc["densify"] as? [[String: Any]])
        let m = try TFLiteModel(contentsOf: ModelPaths.mediapipe("face_detection_full_range_sparse"))
        var dense: [Int: [Float]] = [:]
        for op in m.main.operators where m.operatorCodes[op.opcodeIndex].builtin == .densify {
            let src = m.main.tensors[op.inputs[0]]
            let sparsity = try #require(src.sparsity)
            let values = try #require(src.data)
            dense[op.outputs[0]] = try TFLiteModel.densify(values: values, shape: src.shape, sparsity: sparsity).floats()
        }
        #expect(entries.count == 46 && dense.count == 46)
        for e in entries {
            let index = try #require(e["tensor"] as? Int)
            let v = try #require(dense[index], "tensor \(index)")
            #expect(m.main.tensors[index].shape == (e["shape"] as? [Int]))
            var absSum = 0.0, positional = 0.0
            for (i, x) in v.enumerated() {
                absSum += abs(Double(x))
                positional += Double(x) * Double((i * 7919) % 1009 + 1) / 1009
            }
            let expAbs = try #require(e["abs_sum"] as? Double), expPos = try #require(e["positional"] as? Double)
            // Same fp16 values summed in a different order: agreement to float64 rounding.
            #expect(abs(absSum - expAbs) <= 1e-9 * max(1, expAbs), "tensor \(index) abs sum")
            #expect(abs(positional - expPos) <= 1e-9 * max(1, absSum), "tensor \(index) positional")
        }
    }
}

@Suite struct TFLiteSummaryTests {
    @Test func summaryNamesInputsOutputsAndOps() throws {
        guard ModelPaths.exists("selfie_segmentation") else { return }
        let s = try TFLiteModel(contentsOf: ModelPaths.mediapipe("selfie_segmentation")).summary()
        #expect(s.contains("input_1 [1, 256, 256, 3] float32"))
        #expect(s.contains("activation_10 [1, 256, 256, 1] float32"))
        #expect(s.contains("Convolution2DTransposeBias x1"))
        #expect(s.contains("tensors: 360"))
    }
}
