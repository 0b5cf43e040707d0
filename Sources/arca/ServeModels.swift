import ArcaKernels
import ArcaRegistry
import ArcaRuntime
import ArcaServer
import ArcaTasks
import ArcaZoo
import Foundation

/// `face-detection`: versions are the catalog's variants.
/// Tensor outputs: `scores` FP32 [N], `boxes` FP32 [N, 4] (x, y, width, height relative to the image),
/// `keypoints` FP32 [N, 6, 2] (x, y relative, MediaPipe's keypoint order).
final class ZooFaceDetector: FaceDetector, InferenceModel, @unchecked Sendable {
    let name = "face-detection"
    let variants: [String]
    let defaultVariant: String
    /// Set once by ``ZooProvider`` before the server starts (``ServeFacts``).
    var variantFacts: [String: VariantFacts] = [:]
    func facts(variant: String) -> VariantFacts? { variantFacts[variant] }
    let models: SlottedModels<FaceDetectorModel>

    init(catalog: ZooCatalog, store: ModelStore, pool: ThreadPool, slots: VisionSlots) throws {
        let m = try catalog.model(name)
        variants = m.variants.map(\.tag)
        defaultVariant = m.defaultVariant?.tag ?? variants[0]
        let name = self.name
        models = try SlottedModels(variants: variants, slots: slots, pool: pool) { v, arena, cache in
            try ZooLoader.faceDetector("\(name):\(v)", catalog: catalog, store: store, pool: pool, arena: arena, weightCache: cache).0
        }
    }

    var inputs: [TensorMetadata] { [TensorMetadata(name: "image", datatype: .uint8, shape: [-1, -1, 3])] }
    var outputs: [TensorMetadata] {
        [TensorMetadata(name: "scores", datatype: .fp32, shape: [-1]), TensorMetadata(name: "boxes", datatype: .fp32, shape: [-1, 4]),
         TensorMetadata(name: "keypoints", datatype: .fp32, shape: [-1, 6, 2])]
    }

    func run(_ image: RGBImage, variant: String) throws -> [FaceDetection] {
        guard let faces = try models.run(variant, { try $0.detect(image) }) else {
            throw InferenceError.notFound("face-detection has no variant '\(variant)'")
        }
        return faces
    }

    func detect(image: [UInt8], variant: String) throws -> FaceDetectionResult {
        let img = try ServedImage.decode(image)
        let faces = try run(img, variant: variant)
        return FaceDetectionResult(width: img.width, height: img.height, faces: faces.map { f in
            DetectedFace(score: f.score, box: .init(x: f.xmin, y: f.ymin, width: f.width, height: f.height),
                         keypoints: zip(FaceDetection.keypointNames, f.keypoints).map { .init(name: $0, x: $1.x, y: $1.y) })
        })
    }

    func infer(_ request: InferenceRequest) throws -> InferenceResponse {
        let faces = try run(try ServedImage.fromTensor(request), variant: request.variant)
        let n = faces.count
        return InferenceResponse(outputs: [
            InferenceTensor(name: "scores", shape: [n], data: .fp32(faces.map(\.score))),
            InferenceTensor(name: "boxes", shape: [n, 4], data: .fp32(faces.flatMap { [$0.xmin, $0.ymin, $0.width, $0.height] })),
            InferenceTensor(name: "keypoints", shape: [n, 6, 2], data: .fp32(faces.flatMap { $0.keypoints.flatMap { [$0.x, $0.y] } })),
        ])
    }
}

/// `selfie-segmentation`: tensor output `mask` FP32 [H, W], person confidence at the image's size.
final class ZooSegmenter: Segmenter, InferenceModel, @unchecked Sendable {
    let name = "selfie-segmentation"
    let variants: [String]
    let defaultVariant: String
    /// Set once by ``ZooProvider`` before the server starts (``ServeFacts``).
    var variantFacts: [String: VariantFacts] = [:]
    func facts(variant: String) -> VariantFacts? { variantFacts[variant] }
    let models: SlottedModels<SegmenterModel>

    init(catalog: ZooCatalog, store: ModelStore, pool: ThreadPool, slots: VisionSlots) throws {
        let m = try catalog.model(name)
        variants = m.variants.map(\.tag)
        defaultVariant = m.defaultVariant?.tag ?? variants[0]
        let name = self.name
        models = try SlottedModels(variants: variants, slots: slots, pool: pool) { v, arena, cache in
            try ZooLoader.segmenter("\(name):\(v)", catalog: catalog, store: store, pool: pool, arena: arena, weightCache: cache).0
        }
    }

    var inputs: [TensorMetadata] { [TensorMetadata(name: "image", datatype: .uint8, shape: [-1, -1, 3])] }
    var outputs: [TensorMetadata] { [TensorMetadata(name: "mask", datatype: .fp32, shape: [-1, -1])] }

    func run(_ image: RGBImage, variant: String) throws -> SegmentationMask {
        guard let mask = try models.run(variant, { try $0.segment(image) }) else {
            throw InferenceError.notFound("selfie-segmentation has no variant '\(variant)'")
        }
        return mask
    }

    func segment(image: [UInt8], variant: String) throws -> SegmentationResult {
        let mask = try run(try ServedImage.decode(image), variant: variant)
        let fg = Float(mask.values.filter { $0 > 0.5 }.count) / Float(max(1, mask.values.count))
        return SegmentationResult(width: mask.width, height: mask.height, maskPNG: try mask.pngData(), foregroundFraction: fg)
    }

    func infer(_ request: InferenceRequest) throws -> InferenceResponse {
        let mask = try run(try ServedImage.fromTensor(request), variant: request.variant)
        return InferenceResponse(outputs: [InferenceTensor(name: "mask", shape: [mask.height, mask.width], data: .fp32(mask.values))])
    }
}

/// `text-embedding`: tensor input `text` BYTES [N] (UTF-8), output `embedding` FP32 [N, 384].
final class ZooTextEmbedder: TextEmbedder, InferenceModel, @unchecked Sendable {
    let name = "text-embedding"
    let variants: [String]
    let defaultVariant: String
    /// Set once by ``ZooProvider`` before the server starts (``ServeFacts``).
    var variantFacts: [String: VariantFacts] = [:]
    func facts(variant: String) -> VariantFacts? { variantFacts[variant] }
    private let models: [String: TextEmbeddingModel]
    let dimension: Int

    init(catalog: ZooCatalog, store: ModelStore, threads: Int) throws {
        let m = try catalog.model(name)
        variants = m.variants.map(\.tag)
        defaultVariant = m.defaultVariant?.tag ?? variants[0]
        // Each variant loads (read, verify, decompress, pack) and warms up on its own thread;
        // tensors equal across variants (MiniLM's word embeddings) are kept once.
        let name = self.name
        let constants = ConstantPool()
        let loads = variants.map { v in
            BackgroundLoad { () throws -> TextEmbeddingModel in
                let model = try ZooLoader.textEmbedder("\(name):\(v)", catalog: catalog, store: store, threads: threads,
                                                       constants: constants).0
                _ = try model.embed(["warm up"])
                // Its int8 weights now live packed in the model's weight cache.
                model.graph.releasePackedSourcePages()
                return model
            }
        }
        var models: [String: TextEmbeddingModel] = [:]
        for (v, load) in zip(variants, loads) { models[v] = try load.value() }
        self.models = models
        dimension = models[defaultVariant]?.dimension ?? 384
    }

    /// Tokens of `text` with the default variant's tokenizer (special tokens included).
    func tokenCount(_ text: String) -> Int { models[defaultVariant]?.tokenizer.encode(text).count ?? 0 }

    var inputs: [TensorMetadata] { [TensorMetadata(name: "text", datatype: .bytes, shape: [-1])] }
    var outputs: [TensorMetadata] { [TensorMetadata(name: "embedding", datatype: .fp32, shape: [-1, dimension])] }

    /// The server merges concurrent requests into one call; texts run in groups of similar
    /// token length so that short ones are not padded to the longest of the whole merge.
    func embed(_ texts: [String], variant: String) throws -> EmbeddingBatch {
        guard let m = models[variant] else { throw InferenceError.notFound("text-embedding has no variant '\(variant)'") }
        guard texts.count <= TextEmbeddingModel.maxTextsPerCall else {
            throw InferenceError.invalidInput("\(texts.count) texts exceed the limit of \(TextEmbeddingModel.maxTextsPerCall) per call")
        }
        let ids = texts.map { m.tokenizer.encode($0) }
        var vectors = [[Float]](repeating: [], count: texts.count)
        for group in LengthBuckets.groups(lengths: ids.map(\.count)) {
            let v = try m.embed(tokenIDs: group.map { ids[$0] })
            for (i, vector) in zip(group, v) { vectors[i] = vector }
        }
        return EmbeddingBatch(vectors: vectors, tokenCounts: ids.map(\.count))
    }

    func infer(_ request: InferenceRequest) throws -> InferenceResponse {
        guard let t = request.input("text"), case .bytes(let items) = t.data else {
            throw InferenceError.invalidInput("input 'text' must be BYTES [N]")
        }
        let texts = try items.map { bytes -> String in
            do { return try TextInput.decodeUTF8(bytes) } catch { throw InferenceError.invalidInput("text is not valid UTF-8: \(error)") }
        }
        let vectors = try embed(texts, variant: request.variant).vectors
        return InferenceResponse(outputs: [InferenceTensor(name: "embedding", shape: [texts.count, dimension], data: .fp32(vectors.flatMap { $0 }))])
    }
}
