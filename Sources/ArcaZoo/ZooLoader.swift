import ArcaImport
import ArcaIR
import ArcaKernels
import ArcaRegistry
import ArcaRuntime
import ArcaTasks
import ArcaTensor
import Foundation

/// Turns catalog variants into runnable task models, from their pinned sources.
public enum ZooLoader {
    /// The IR graph of a variant (`tflite` or `huggingface` source), quantized as the variant says.
    public static func importGraph(_ variant: ZooVariant, task: ZooTask) throws -> Graph {
        try importVariant(variant, task: task).graph
    }

    /// ``importGraph(_:task:)``, and for static int8 the facts of the choice made: the options
    /// (`staticQuantization`) and the agreement with the float model on the calibration images
    /// (`calibrationAgreement`), for the variant's config.
    public static func importVariant(_ variant: ZooVariant, task: ZooTask) throws -> (graph: Graph, facts: [String: ZooValue]) {
        let files = try ZooSources.files(of: variant)
        let graph: Graph
        switch variant.format {
        case "tflite":
            graph = try TFLiteImporter.importGraph(contentsOf: files[0])
        case "huggingface":
            graph = try HuggingFaceBert.importGraph(folder: files[0].deletingLastPathComponent()).graph
        default:
            throw ZooError.catalogUnreadable("variant \(variant.tag) has unknown format '\(variant.format)'")
        }
        let scheme = variant.quantization ?? "none"
        guard scheme == "static-int8" else { return (try quantize(graph, scheme), [:]) }
        guard let set = variant.calibration else {
            throw ZooError.catalogUnreadable("variant \(variant.tag): static-int8 needs a calibration set")
        }
        let images = ZooCalibration.names.contains(set) ? try ZooCalibration.images(set)
            : try calibrationImages(in: ZooPaths.catalog.appendingPathComponent(set)).map { try decodeImage($0) }
        let choice = try ZooStaticQuantization.quantize(graph, images: images, task: task, variant: variant)
        var facts: [String: ZooValue] = ["staticQuantization": .string("\(choice.options); \(choice.report); from \(choice.origin)"),
                                         "calibrationAgreement": .string("\(set): \(choice.agreement)")]
        if let recipe = choice.recipe { facts["staticInt8Recipe"] = try ZooValue(encoding: recipe) }
        return (choice.graph, facts)
    }

    static func decodeImage(_ url: URL) throws -> RGBImage { try ImageDecoder.decode(Array(try Data(contentsOf: url))) }

    /// Applies a quantization scheme by name: "none", or "int8"/"dynamic-int8" (per-row
    /// activations, per-column weights on every constant matmul). Static int8 needs
    /// calibration images: ``ZooStaticQuantization/quantize(_:images:task:variant:)``.
    public static func quantize(_ graph: Graph, _ scheme: String) throws -> Graph {
        switch scheme {
        case "none", "": return graph
        case "int8", "dynamic-int8":
            let (g, count) = try graph.quantizedDynamicInt8()
            guard count > 0 else {
                throw ZooError.catalogUnreadable("dynamic int8 quantization found no matmul with constant weights (convolution models take static int8 with calibration images)")
            }
            return g
        default:
            throw ZooError.catalogUnreadable("unknown quantization '\(scheme)' (expected none, dynamic-int8 or static-int8)")
        }
    }

    /// The JPEG and PNG files of a calibration folder, sorted by name.
    public static func calibrationImages(in folder: URL) throws -> [URL] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
            throw ZooError.catalogUnreadable("calibration folder \(folder.path) is missing")
        }
        let images = names.filter { ["jpg", "jpeg", "png"].contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
        guard !images.isEmpty else { throw ZooError.catalogUnreadable("calibration folder \(folder.path) holds no JPEG or PNG image") }
        return images.map { folder.appendingPathComponent($0) }
    }

    /// Image files decoded and preprocessed as the task does, as input of `graph`'s first input.
    public static func calibrationInputs(_ images: [URL], graph: Graph, task: ZooTask, variant: ZooVariant) throws -> [[String: Tensor]] {
        try calibrationInputs(images.map { try decodeImage($0) }, graph: graph, task: task, variant: variant)
    }

    /// Images preprocessed as the task does, as input of `graph`'s first input.
    public static func calibrationInputs(_ images: [RGBImage], graph: Graph, task: ZooTask, variant: ZooVariant) throws -> [[String: Tensor]] {
        guard let input = graph.inputs.first.map({ graph.values[$0].name }) else {
            throw ZooError.catalogUnreadable("the model has no input to calibrate")
        }
        return try images.map { image in
            switch task {
            case .faceDetection: return [input: try faceConfig(variant).preprocess(image).input]
            case .selfieSegmentation: return [input: try selfieConfig(variant).preprocess(image)]
            case .textEmbedding: throw ZooError.catalogUnreadable("text models take dynamic int8, not calibration images")
            }
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

    /// A graph and its catalog settings for `ref`: from the store when given (installing the
    /// catalog's variants into it on first use), else straight from the pinned source files.
    public static func resolve(_ ref: String, catalog: ZooCatalog, store: ModelStore?) throws
        -> (graph: Graph, variant: ZooVariant, task: ZooTask, vocabulary: [UInt8]?) {
        guard let store else {
            guard let known = try? catalog.resolve(ref) else { throw ZooError.unknownModel(ref) }
            return (try importGraph(known.variant, task: known.model.task), known.variant, known.model.task, nil)
        }
        guard let stored = try storedReference(ref, catalog: catalog, store: store) else { throw ZooError.unknownModel(ref) }
        let loaded = try ZooStore.load(stored.ref, store: store)
        let (variant, task) = try settings(loaded.config, ref: ref, known: stored.known)
        return (loaded.graph, variant, task, loaded.vocabulary)
    }

    /// The store reference `ref` names (a catalog name is completed to `NAME:VARIANT`, and the
    /// catalog installed into the store on first use, or again after a zoo revision) and its catalog entry; nil when neither
    /// the catalog nor the store knows it.
    static func storedReference(_ ref: String, catalog: ZooCatalog, store: ModelStore) throws
        -> (ref: String, known: (model: ZooModel, variant: ZooVariant)?)? {
        if let known = try? catalog.resolve(ref) {
            let full = "\(known.model.name):\(known.variant.tag)"
            if (try? store.resolve(full)) == nil || ZooStore.isStale(full, store: store) {
                _ = try ZooStore.install(catalog: catalog, store: store, warn: { FileHandle.standardError.write(Data("warning: \($0)\n".utf8)) })
            }
            return (full, known)
        }
        return ref.contains(":") && (try? store.resolve(ref)) != nil ? (ref, nil) : nil
    }

    /// A stored variant's settings: its saved catalog entry (else the catalog's) and task.
    static func settings(_ config: ModelConfig, ref: String, known: (model: ZooModel, variant: ZooVariant)?) throws -> (ZooVariant, ZooTask) {
        if let known { return (ZooStore.catalogEntry(config) ?? known.variant, known.model.task) }
        guard let entry = ZooStore.catalogEntry(config), let task = zooTask(config.task) else {
            throw ZooError.catalogUnreadable("\(ref) has no task settings in its config")
        }
        return (entry, task)
    }

    /// With `arena`, the model's plan works in that shared memory and packs into `weightCache`
    /// (``FaceDetectorModel/init(graph:config:pool:arena:weightCache:optimized:)``).
    public static func faceDetector(_ ref: String, catalog: ZooCatalog, store: ModelStore? = nil, pool: ThreadPool,
                                    arena: SharedArena? = nil, weightCache: PackedWeightCache? = nil) throws -> (FaceDetectorModel, ZooVariant) {
        let r = try resolve(ref, catalog: catalog, store: store)
        guard r.task == .faceDetection else { throw ZooError.wrongTask(ref: ref, expected: "face-detection", got: r.task.rawValue) }
        return (try FaceDetectorModel(graph: r.graph, config: try faceConfig(r.variant), pool: pool, arena: arena, weightCache: weightCache), r.variant)
    }

    /// `arena` and `weightCache` as for ``faceDetector(_:catalog:store:pool:arena:weightCache:)``.
    public static func segmenter(_ ref: String, catalog: ZooCatalog, store: ModelStore? = nil, pool: ThreadPool,
                                 arena: SharedArena? = nil, weightCache: PackedWeightCache? = nil) throws -> (SegmenterModel, ZooVariant) {
        let r = try resolve(ref, catalog: catalog, store: store)
        guard r.task == .selfieSegmentation else { throw ZooError.wrongTask(ref: ref, expected: "selfie-segmentation", got: r.task.rawValue) }
        return (try SegmenterModel(graph: r.graph, config: try selfieConfig(r.variant), pool: pool, arena: arena, weightCache: weightCache), r.variant)
    }

    /// The model plans a shape per (batch, length): it keeps its float weights packed, once.
    /// A store variant's served graph comes from its ``ServingGraphCache`` (built on first use);
    /// with `constants`, a graph built from the store shares large constants equal to ones
    /// another variant already loaded.
    public static func textEmbedder(_ ref: String, catalog: ZooCatalog, store: ModelStore? = nil, threads: Int,
                                    constants: ConstantPool? = nil) throws -> (TextEmbeddingModel, ZooVariant) {
        var r: (graph: Graph, variant: ZooVariant, task: ZooTask, vocabulary: [UInt8]?)
        if let store, let served = try servedTextGraph(ref, catalog: catalog, store: store, constants: constants) {
            r = served
        } else {
            r = try resolve(ref, catalog: catalog, store: store)
            constants?.intern(&r.graph)
            r.graph = try r.graph.prepackedForGEMM().graph
        }
        guard r.task == .textEmbedding else { throw ZooError.wrongTask(ref: ref, expected: "text-embedding", got: r.task.rawValue) }
        let maxLength = r.variant.facts?["maxSequenceLength"]?.int ?? 256
        let vocabulary: WordPieceVocabulary
        if let data = r.vocabulary {
            vocabulary = try WordPieceVocabulary(vocabData: data)
        } else {
            let folder = try ZooSources.files(of: r.variant)[0].deletingLastPathComponent()
            vocabulary = try WordPieceVocabulary(vocabFile: folder.appendingPathComponent("vocab.txt"))
        }
        let tokenizer = try WordPieceTokenizer(vocabulary: vocabulary, maxLength: maxLength)
        var typed = r.graph
        try typed.inferShapes()
        let dim = typed.outputs.first.map { typed.values[$0].shape.last ?? 0 } ?? 0
        guard dim > 0 else { throw ZooError.catalogUnreadable("\(ref): embedding output has no dimension") }
        return (TextEmbeddingModel(graph: r.graph, tokenizer: tokenizer, dimension: dim, threads: threads), r.variant)
    }

    /// What a served text graph is made with: bump the version when the passes change what
    /// they produce; the kernel layout and this binary's identity are part of it too, so a
    /// rebuilt or different-CPU binary never maps a graph packed by another.
    public static var textServingTransform: String {
        "text-serving.v1 intern+prepackedForGEMM panel \(PackedB.panelWidth) depth \(PackedB.depthBlock) binary \(BinaryIdentity.current)"
    }

    /// The served graph of a store variant: mapped from the serving cache, or built from the
    /// store (interned, packed), written to the cache and mapped from it, so that the first
    /// start serves from the same pages as every later one. If the cache cannot be written
    /// (read-only store, full disk) the built graph is served from memory. Embedding tables are
    /// advised random access: only the rows read become resident. Nil for a file path
    /// or a ref the store does not hold.
    static func servedTextGraph(_ ref: String, catalog: ZooCatalog, store: ModelStore, constants: ConstantPool?) throws
        -> (graph: Graph, variant: ZooVariant, task: ZooTask, vocabulary: [UInt8]?)? {
        guard let stored = try storedReference(ref, catalog: catalog, store: store) else { return nil }
        let descriptor = try store.resolve(stored.ref)
        let manifest = try store.manifest(at: descriptor)
        let meta = try ZooStore.metadata(manifest, store: store)
        let (variant, task) = try settings(meta.config, ref: ref, known: stored.known)
        guard task == .textEmbedding else { throw ZooError.wrongTask(ref: ref, expected: "text-embedding", got: task.rawValue) }
        let cache = ServingGraphCache(store: store)
        let transform = textServingTransform
        if let g = cache.load(manifest: descriptor.digest, transform: transform), (try? g.verify()) != nil {
            g.adviseGatheredPagesRandom()
            return (g, variant, task, meta.vocabulary)
        }
        var g = try ZooStore.graph(manifest, ref: stored.ref, store: store)
        constants?.intern(&g)
        g = try g.prepackedForGEMM().graph
        if (try? cache.save(g, manifest: descriptor.digest, transform: transform)) != nil,
           let mapped = cache.load(manifest: descriptor.digest, transform: transform), (try? mapped.verify()) != nil {
            mapped.adviseGatheredPagesRandom()
            g = mapped
        }
        return (g, variant, task, meta.vocabulary)
    }

    static func zooTask(_ t: ModelConfig.Task) -> ZooTask? {
        switch t {
        case .faceDetection: .faceDetection
        case .selfieSegmentation: .selfieSegmentation
        case .textEmbedding: .textEmbedding
        case .generic: nil
        }
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
