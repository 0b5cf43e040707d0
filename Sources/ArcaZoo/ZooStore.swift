import ArcaIR
import ArcaRegistry
import ArcaTensor
import Foundation

/// The zoo in the local store: publishing catalog variants and model files, and loading graphs back.
///
/// A published variant is an OCI manifest whose layers are the graph structure
/// (JSON) and the weights (byte planes + zstd). Its protobuf config carries the
/// task, tensor specs, variant facts, source pins and licence, and the catalog
/// entry itself (`postprocessing.extra["catalog"]`) so a pulled model is
/// self-describing.
public enum ZooStore {
    public static let catalogKey = "catalog"
    /// A WordPiece `vocab.txt`, one token per line.
    public static let vocabularyMediaType = "application/vnd.arca.vocabulary.v1+text"

    /// Publishes `graph` as `name:variant`.
    @discardableResult
    public static func publish(graph: Graph, name: String, variant: String, task: ModelConfig.Task,
                               catalogEntry: ZooVariant?, licence: String, source: ModelConfig.Source?,
                               extraLayers: [LayerInput] = [], store: ModelStore, progress: (PublishProgress) -> Void = { _ in }) throws -> Descriptor {
        var typed = graph
        try typed.inferShapes()
        try typed.verify()
        let (json, weights) = try typed.serialized()
        var config = ModelConfig(name: name, variant: variant, task: task)
        config.inputs = typed.inputs.map { spec(typed.values[$0]) }
        config.outputs = typed.outputs.map { spec(typed.values[$0]) }
        let facts = variantFacts(typed, catalogEntry: catalogEntry, weightBytes: weights.count)
        config.facts = facts
        config.source = source
        config.licence = licence
        config.createdBy = "arca"
        if let catalogEntry {
            var post = ModelConfig.Postprocessing()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            post.extra[catalogKey] = String(decoding: try encoder.encode(catalogEntry), as: UTF8.self)
            config.postprocessing = post
        }
        return try store.publish(name: name, variant: variant, config: config,
                                 layers: [.graph(json), try .weights(weights, dtype: facts.dtype == "int8" ? .int8 : .float32)] + extraLayers, progress: progress)
    }

    /// Publishes one catalog variant from its pinned sources (fetched if missing).
    @discardableResult
    public static func publish(_ model: ZooModel, _ variant: ZooVariant, store: ModelStore,
                               progress: (PublishProgress) -> Void = { _ in }) throws -> Descriptor {
        let (graph, choiceFacts) = try ZooLoader.importVariant(variant, task: model.task)
        var entry = variant
        entry.staticInt8 = nil  // the recipe actually used is in the facts (`staticInt8Recipe`)
        entry.facts = (entry.facts ?? [:]).merging(choiceFacts) { $1 }.merging([revisionKey: .number(Double(revision))]) { $1 }
        var source = ModelConfig.Source()
        if let f = variant.files.first {
            source.uri = "pypi:\(f.package)"
            source.package = f.package
            source.sha256 = f.sha256
            source.memberPath = f.member
            source.version = f.package.components(separatedBy: "==").last ?? ""
        }
        var extra: [LayerInput] = []
        if model.task == .textEmbedding, let folder = try ZooSources.files(of: variant).first?.deletingLastPathComponent() {
            extra.append(LayerInput(mediaType: vocabularyMediaType, bytes: Array(try Data(contentsOf: folder.appendingPathComponent("vocab.txt")))))
        }
        return try publish(graph: graph, name: model.name, variant: variant.tag, task: task(model.task), catalogEntry: entry,
                           licence: model.licence, source: source, extraLayers: extra, store: store, progress: progress)
    }

    /// How zoo variants are derived from their sources (import, passes, quantization). Raise it
    /// when a change makes newly published variants differ: ``install(catalog:store:force:progress:)``
    /// then publishes again the variants a store holds from an earlier revision.
    public static let revision = 2
    static let revisionKey = "zooRevision"

    /// The zoo revision a stored variant was published at: 0 when the zoo published it before
    /// revisions; nil when its manifest or config cannot be read (loading it reports why; it is
    /// not silently published again) or when the zoo did not publish it (`arca publish` of a
    /// user's file, even under a zoo name: its source is a file, not the pinned wheel).
    public static func storedRevision(_ ref: String, store: ModelStore) -> Int? {
        guard let manifest = try? store.manifest(ref), let config = try? store.config(of: manifest),
              let entry = catalogEntry(config), config.source?.uri.hasPrefix("pypi:") == true else { return nil }
        return entry.facts?[revisionKey]?.int ?? 0
    }

    /// Whether the store holds `ref` from an earlier zoo revision (not when it is missing,
    /// unreadable, a user's model, or from a newer revision: an older binary does not downgrade it).
    static func isStale(_ ref: String, store: ModelStore) -> Bool {
        storedRevision(ref, store: store).map { $0 < revision } ?? false
    }

    /// Publishes every catalog variant that the store does not hold yet, or holds from an
    /// earlier zoo ``revision``.
    ///
    /// A stale variant that cannot be published again (an offline machine without the pinned
    /// files, a read-only store) stays as it is, and `warn` says why: it still works.
    public static func install(catalog: ZooCatalog, store: ModelStore, force: Bool = false,
                               progress: (String, PublishProgress) -> Void = { _, _ in },
                               warn: (String) -> Void = { _ in }) throws -> [String] {
        var published: [String] = []
        for m in catalog.models {
            for v in m.variants {
                let ref = "\(m.name):\(v.tag)"
                let present = (try? store.resolve(ref)) != nil
                if !force, present, !isStale(ref, store: store) { continue }
                do {
                    try publish(m, v, store: store) { progress(ref, $0) }
                } catch where present && !force {
                    warn("\(ref) is from an earlier zoo revision and could not be published again (\(error)); keeping it")
                    continue
                }
                published.append(ref)
            }
        }
        return published
    }

    /// A stored variant's graph (every blob digest-verified) and config.
    public static func load(_ ref: String, store: ModelStore) throws -> (graph: Graph, config: ModelConfig, vocabulary: [UInt8]?) {
        let manifest = try store.manifest(ref)
        let m = try metadata(manifest, store: store)
        return (try graph(manifest, ref: ref, store: store), m.config, m.vocabulary)
    }

    /// A stored variant's graph alone (its graph and weights blobs digest-verified), verified.
    public static func graph(_ manifest: ImageManifest, ref: String, store: ModelStore) throws -> Graph {
        guard let g = manifest.layers(ofType: MediaType.graph).first, let w = manifest.layers(ofType: MediaType.weights).first else {
            throw ZooError.catalogUnreadable("\(ref): manifest lacks a graph or weights layer")
        }
        let graph = try Graph(serialized: try store.layerContents(g), weights: try store.layerContents(w))
        try graph.verify()
        return graph
    }

    /// A stored variant's config and vocabulary (digest-verified), without reading its graph.
    public static func metadata(_ manifest: ImageManifest, store: ModelStore) throws -> (config: ModelConfig, vocabulary: [UInt8]?) {
        let config = try store.config(of: manifest)
        let vocab = try manifest.layers(ofType: vocabularyMediaType).first.map { try store.layerContents($0) }
        return (config, vocab)
    }

    /// The catalog entry saved in a stored config, if any.
    public static func catalogEntry(_ config: ModelConfig) -> ZooVariant? {
        guard let text = config.postprocessing?.extra[catalogKey] else { return nil }
        return try? JSONDecoder().decode(ZooVariant.self, from: Data(text.utf8))
    }

    /// dtype from the graph (int8 when any op computes in int8), accuracy and latency from the
    /// catalog entry's measured facts (`expectedAccuracy`, `accuracyMetric`,
    /// `latency: [{threads, batch, seq, medianMs}]`).
    static func variantFacts(_ graph: Graph, catalogEntry: ZooVariant?, weightBytes: Int) -> ModelConfig.VariantFacts {
        var facts = ModelConfig.VariantFacts()
        facts.dtype = graph.nodes.contains {
            switch $0.op {
            case .quantizedMatMul, .quantizedConv2d, .quantizedDepthwiseConv2d: true
            default: false
            }
        } ? "int8" : "float32"
        facts.sizeBytes = UInt64(weightBytes)
        let f = catalogEntry?.facts ?? [:]
        facts.expectedAccuracy = f["expectedAccuracy"]?.double ?? 0
        facts.accuracyMetric = f["accuracyMetric"]?.string ?? ""
        facts.latency = (f["latency"]?.array ?? []).compactMap { v -> ModelConfig.LatencyFact? in
            guard let o = v.object, let ms = o["medianMs"]?.double, let t = o["threads"]?.int else { return nil }
            return ModelConfig.LatencyFact(threads: Int32(clamping: t), batch: Int32(clamping: o["batch"]?.int ?? 1),
                                           seq: Int32(clamping: o["seq"]?.int ?? 0), medianMs: ms)
        }
        return facts
    }

    static func task(_ t: ZooTask) -> ModelConfig.Task {
        switch t {
        case .faceDetection: .faceDetection
        case .selfieSegmentation: .selfieSegmentation
        case .textEmbedding: .textEmbedding
        }
    }

    static func spec(_ v: ValueInfo) -> ModelConfig.TensorSpec {
        ModelConfig.TensorSpec(name: v.name, dtype: v.dtype.rawValue, shape: v.shape.map { Int64($0) })
    }
}
