import Foundation

/// A local model store in OCI image layout: `oci-layout`, `index.json` and `blobs/sha256/<hex>`.
///
/// Writers (``publish(name:variant:config:layers:progress:)``, ``remove(_:)``, ``gc()``) hold an exclusive
/// `flock` on `<root>/.lock`. Every file is replaced atomically (temp file, fsync, rename, directory fsync),
/// and `index.json` is written last, so readers without the lock see either the old or the new state.
public struct ModelStore: Sendable {
    public let root: String
    /// Largest blob ``readBlob(_:expectedSize:)`` will read (16 GiB).
    public static let maxBlobSize: Int64 = 16 << 30

    /// `$ARCA_HOME`, else `~/.arca`.
    public static var defaultRoot: String {
        let env = ProcessInfo.processInfo.environment
        if let home = env["ARCA_HOME"], !home.isEmpty { return home }
        return (env["HOME"] ?? NSHomeDirectory()) + "/.arca"
    }

    /// Opens (creating if needed) the store at `root`, or at ``defaultRoot``.
    public init(root: String? = nil) throws(StoreError) {
        var r = root ?? Self.defaultRoot
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r
        try FileIO.makeDirectory(r)
        try FileIO.makeDirectory(r + "/blobs")
        try FileIO.makeDirectory(blobDirectory)
        if try FileIO.size(of: r + "/oci-layout") == nil {
            try FileIO.writeAtomically(try BoundedJSON.encode(ImageLayout(imageLayoutVersion: "1.0.0")), to: r + "/oci-layout")
        }
    }

    var blobDirectory: String { root + "/blobs/sha256" }
    var indexPath: String { root + "/index.json" }
    func blobPath(_ d: Digest) -> String { blobDirectory + "/" + d.hex }
    func lock() throws(StoreError) -> FileLock { try FileLock(path: root + "/.lock") }

    /// Stores a variant's config and layers, writes its manifest, and points `name:variant` at it.
    ///
    /// `config.name` and `config.variant` are set to `name` and `variant`. Returns the manifest descriptor.
    @discardableResult
    public func publish(
        name: String, variant: String, config: ModelConfig, layers: [LayerInput],
        progress: (PublishProgress) -> Void = { _ in }
    ) throws(StoreError) -> Descriptor {
        let ref = try ModelReference(name: name, tag: variant)
        guard layers.count <= BoundedJSON.maxLayers else { throw .tooMany(what: "layers", count: layers.count, limit: BoundedJSON.maxLayers) }
        var config = config
        config.name = name
        config.variant = variant
        let configBytes: [UInt8]
        do { configBytes = try config.serialized() } catch { throw .config(error) }

        let held = try lock()
        defer { held.unlock() }
        let total = Int64(configBytes.count) + layers.reduce(0) { $0 + Int64($1.bytes.count) }
        var done: Int64 = 0
        progress(PublishProgress(step: "config", completedBytes: 0, totalBytes: total))
        let configDescriptor = Descriptor(mediaType: MediaType.config, digest: try writeBlob(configBytes), size: Int64(configBytes.count))
        done += Int64(configBytes.count)
        var layerDescriptors: [Descriptor] = []
        for (i, layer) in layers.enumerated() {
            progress(PublishProgress(step: "layer \(i + 1)/\(layers.count)", completedBytes: done, totalBytes: total))
            let digest = try writeBlob(layer.bytes)
            layerDescriptors.append(Descriptor(mediaType: layer.mediaType, digest: digest, size: Int64(layer.bytes.count),
                                               annotations: layer.annotations.isEmpty ? nil : layer.annotations))
            done += Int64(layer.bytes.count)
        }
        let manifest = ImageManifest(config: configDescriptor, layers: layerDescriptors,
                                     annotations: [Annotation.model: name, Annotation.variant: variant])
        try BoundedJSON.validate(manifest)
        let manifestBytes = try BoundedJSON.encode(manifest)
        let descriptor = Descriptor(
            mediaType: MediaType.imageManifest, digest: try writeBlob(manifestBytes), size: Int64(manifestBytes.count),
            artifactType: MediaType.model,
            annotations: [Annotation.refName: ref.description, Annotation.model: name, Annotation.variant: variant])
        progress(PublishProgress(step: "index", completedBytes: done, totalBytes: total))
        var index = try readIndex()
        index.manifests.removeAll { $0.annotations?[Annotation.refName] == ref.description }
        index.manifests.append(descriptor)
        try writeIndex(index)
        progress(PublishProgress(step: "done", completedBytes: total, totalBytes: total))
        return descriptor
    }

    /// Every `name:tag` in the index, sorted.
    public func list() throws(StoreError) -> [StoreEntry] {
        var out: [StoreEntry] = []
        for d in try readIndex().manifests {
            guard let text = d.annotations?[Annotation.refName], let ref = try? ModelReference(parsing: text) else { continue }
            out.append(StoreEntry(reference: ref, manifest: d))
        }
        return out.sorted { $0.reference < $1.reference }
    }

    /// The manifest descriptor that `name:tag` points at.
    public func resolve(_ reference: String) throws(StoreError) -> Descriptor {
        let ref = try ModelReference(parsing: reference)
        guard let d = try readIndex().manifests.last(where: { $0.annotations?[Annotation.refName] == ref.description }) else {
            throw .notFound(ref.description)
        }
        return d
    }

    /// The verified, validated manifest of `name:tag`.
    public func manifest(_ reference: String) throws(StoreError) -> ImageManifest {
        try manifest(at: resolve(reference))
    }

    /// The verified, validated manifest a descriptor points at.
    public func manifest(at descriptor: Descriptor) throws(StoreError) -> ImageManifest {
        guard descriptor.size <= Int64(BoundedJSON.maxSize) else {
            throw .tooLarge(what: "manifest", size: descriptor.size, limit: Int64(BoundedJSON.maxSize))
        }
        let bytes = try readBlob(descriptor.digest, expectedSize: descriptor.size)
        let m = try BoundedJSON.decode(ImageManifest.self, from: bytes, what: "manifest \(descriptor.digest)")
        try BoundedJSON.validate(m)
        return m
    }

    /// The verified, validated model config of a manifest.
    public func config(of manifest: ImageManifest) throws(StoreError) -> ModelConfig {
        guard manifest.config.size <= Int64(ModelConfig.Limits.maxSerializedSize) else {
            throw .config(.tooLarge(size: Int(clamping: manifest.config.size), limit: ModelConfig.Limits.maxSerializedSize))
        }
        let bytes = try readBlob(manifest.config.digest, expectedSize: manifest.config.size)
        do { return try ModelConfig(serialized: bytes) } catch { throw .config(error) }
    }

    /// A layer's verified and decoded bytes: graph layers as stored, weights layers through ``WeightCodec``.
    public func layerContents(_ layer: Descriptor) throws(StoreError) -> [UInt8] {
        let bytes = try readBlob(layer.digest, expectedSize: layer.size)
        guard layer.mediaType == MediaType.weights else { return bytes }
        guard let text = layer.annotations?[Annotation.uncompressedSize], let raw = Int(text) else {
            throw .invalidManifest("weights layer \(layer.digest) lacks \(Annotation.uncompressedSize)")
        }
        do throws(WeightCodecError) {
            let header = try WeightCodec.header(of: bytes)
            guard header.rawSize == raw else {
                throw WeightCodecError.zstd(.contentSizeMismatch(declared: UInt64(header.rawSize), expected: raw))
            }
            return try WeightCodec.decode(bytes, maxRawSize: raw).bytes
        } catch { throw .weights(error) }
    }

    /// Drops `name:tag` from the index; its blobs stay until ``gc()``.
    public func remove(_ reference: String) throws(StoreError) {
        let ref = try ModelReference(parsing: reference)
        let held = try lock()
        defer { held.unlock() }
        var index = try readIndex()
        let before = index.manifests.count
        index.manifests.removeAll { $0.annotations?[Annotation.refName] == ref.description }
        guard index.manifests.count < before else { throw .notFound(ref.description) }
        try writeIndex(index)
    }

    func readIndex() throws(StoreError) -> ImageIndex {
        guard let bytes = try FileIO.read(indexPath, limit: Int64(BoundedJSON.maxSize), what: "index.json") else {
            return ImageIndex(manifests: [])
        }
        let index = try BoundedJSON.decode(ImageIndex.self, from: bytes, what: "index.json")
        try BoundedJSON.validate(index)
        return index
    }

    func writeIndex(_ index: ImageIndex) throws(StoreError) {
        var index = index
        index.manifests.sort { ($0.annotations?[Annotation.refName] ?? "") < ($1.annotations?[Annotation.refName] ?? "") }
        try FileIO.writeAtomically(try BoundedJSON.encode(index), to: indexPath)
    }
}
