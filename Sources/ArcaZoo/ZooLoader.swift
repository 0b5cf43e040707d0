import ArcaImport
import ArcaIR
import ArcaKernels
import ArcaRuntime
import ArcaTasks
import Foundation

/// Turns catalog variants into runnable task models, from their pinned sources.
public enum ZooLoader {
    /// The IR graph of a variant (`tflite` or `huggingface` source).
    public static func importGraph(_ variant: ZooVariant) throws -> Graph {
        let files = try ZooSources.files(of: variant)
        switch variant.format {
        case "tflite":
            return try TFLiteImporter.importGraph(contentsOf: files[0])
        case "huggingface":
            return try HuggingFaceBert.importGraph(folder: files[0].deletingLastPathComponent()).graph
        default:
            throw ZooError.catalogUnreadable("variant \(variant.tag) has unknown format '\(variant.format)'")
        }
    }

    /// A graph from a model file path (`.tflite`, or a Hugging Face folder).
    public static func importGraph(path: String) throws -> Graph {
        let url = URL(fileURLWithPath: path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw ZooError.badReference(path) }
        if isDir.boolValue { return try HuggingFaceBert.importGraph(folder: url).graph }
        return try TFLiteImporter.importGraph(contentsOf: url)
    }

    public static func faceDetector(_ ref: String, catalog: ZooCatalog, pool: ThreadPool) throws -> (FaceDetectorModel, ZooVariant) {
        let (m, v) = try catalog.resolve(ref)
        guard m.task == .faceDetection else { throw ZooError.wrongTask(ref: ref, expected: "face-detection", got: m.task.rawValue) }
        return (try FaceDetectorModel(graph: importGraph(v), config: try faceConfig(v), pool: pool), v)
    }

    public static func segmenter(_ ref: String, catalog: ZooCatalog, pool: ThreadPool) throws -> (SegmenterModel, ZooVariant) {
        let (m, v) = try catalog.resolve(ref)
        guard m.task == .selfieSegmentation else { throw ZooError.wrongTask(ref: ref, expected: "selfie-segmentation", got: m.task.rawValue) }
        return (try SegmenterModel(graph: importGraph(v), config: try selfieConfig(v), pool: pool), v)
    }

    public static func textEmbedder(_ ref: String, catalog: ZooCatalog, threads: Int) throws -> (TextEmbeddingModel, ZooVariant) {
        let (m, v) = try catalog.resolve(ref)
        guard m.task == .textEmbedding else { throw ZooError.wrongTask(ref: ref, expected: "text-embedding", got: m.task.rawValue) }
        let files = try ZooSources.files(of: v)
        let folder = files[0].deletingLastPathComponent()
        let imported = try HuggingFaceBert.importGraph(folder: folder)
        let tokenizer = try WordPieceTokenizer(vocabFile: folder.appendingPathComponent("vocab.txt"), maxLength: imported.sentence.maxSeqLength)
        return (TextEmbeddingModel(graph: imported.graph, tokenizer: tokenizer, dimension: imported.config.hiddenSize, threads: threads), v)
    }

    /// Face settings from the catalog's pre/post-processing entries.
    public static func faceConfig(_ v: ZooVariant) throws -> FaceModelConfig {
        let pre = v.preprocessing ?? [:], post = v.postprocessing ?? [:]
        guard let w = pre["width"]?.int, let h = pre["height"]?.int, let a = post["anchors"]?.object,
              let scale = post["scale"]?.double, let minScore = post["minScore"]?.double else {
            throw ZooError.catalogUnreadable("variant \(v.tag): face settings incomplete")
        }
        func num(_ k: String) throws -> Double {
            guard let d = a[k]?.double else { throw ZooError.catalogUnreadable("variant \(v.tag): anchors.\(k) missing") }
            return d
        }
        var anchors = SSDAnchorOptions(numLayers: Int(try num("numLayers")), minScale: Float(try num("minScale")), maxScale: Float(try num("maxScale")),
                                       inputWidth: Int(try num("inputWidth")), inputHeight: Int(try num("inputHeight")),
                                       strides: (a["strides"]?.array ?? []).compactMap(\.int))
        anchors.anchorOffsetX = Float(a["anchorOffsetX"]?.double ?? 0.5)
        anchors.anchorOffsetY = Float(a["anchorOffsetY"]?.double ?? 0.5)
        anchors.aspectRatios = (a["aspectRatios"]?.array ?? [.number(1)]).compactMap(\.double).map(Float.init)
        anchors.fixedAnchorSize = a["fixedAnchorSize"]?.bool ?? true
        anchors.interpolatedScaleAspectRatio = Float(a["interpolatedScaleAspectRatio"]?.double ?? 1)
        guard anchors.numLayers > 0, anchors.strides.count == anchors.numLayers, anchors.strides.allSatisfy({ $0 > 0 }) else {
            throw ZooError.catalogUnreadable("variant \(v.tag): anchor strides do not match the layer count")
        }
        var decode = FaceDecodeOptions(xScale: Float(scale), yScale: Float(scale), wScale: Float(scale), hScale: Float(scale), minScoreThresh: Float(minScore))
        decode.minSuppressionThreshold = Float(post["nmsIoU"]?.double ?? 0.3)
        decode.scoreClippingThresh = Float(post["scoreClippingThreshold"]?.double ?? 100)
        return FaceModelConfig(inputWidth: w, inputHeight: h, anchorOptions: anchors, decode: decode)
    }

    public static func selfieConfig(_ v: ZooVariant) throws -> SelfieModelConfig {
        guard let w = v.preprocessing?["width"]?.int, let h = v.preprocessing?["height"]?.int, w > 0, h > 0 else {
            throw ZooError.catalogUnreadable("variant \(v.tag): selfie input size missing")
        }
        return SelfieModelConfig(inputWidth: w, inputHeight: h)
    }
}
