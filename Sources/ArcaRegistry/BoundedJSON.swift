import Foundation

/// JSON decoding with limits on size, nesting depth and entry counts, checked before and after decoding.
enum BoundedJSON {
    static let maxSize = 4 << 20
    static let maxDepth = 16
    static let maxAnnotations = 64
    static let maxLayers = 64
    static let maxManifests = 100_000
    static let maxAnnotationBytes = 4096

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String) throws(StoreError) -> T {
        guard bytes.count <= maxSize else { throw .tooLarge(what: what, size: Int64(bytes.count), limit: Int64(maxSize)) }
        try checkDepth(bytes, what: what)
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let e as DecodingError {
            throw .malformedJSON(what: what, reason: Self.reason(e))
        } catch {
            throw .malformedJSON(what: what, reason: "\(error)")
        }
    }

    static func encode<T: Encodable>(_ value: T) throws(StoreError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return Array(try encoder.encode(value)) } catch { throw .malformedJSON(what: "\(T.self)", reason: "\(error)") }
    }

    /// Rejects nesting deeper than ``maxDepth`` without building anything.
    static func checkDepth(_ bytes: [UInt8], what: String) throws(StoreError) {
        var depth = 0, inString = false, escaped = false
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > maxDepth { throw .tooDeep(what: what, limit: maxDepth) }
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
    }

    static func validate(_ d: Descriptor, what: String) throws(StoreError) {
        guard d.size >= 0 else { throw .invalidManifest("\(what) has negative size") }
        guard d.mediaType.utf8.count <= 255 else { throw .invalidManifest("\(what) media type too long") }
        try validate(d.annotations, what: what)
    }

    static func validate(_ annotations: [String: String]?, what: String) throws(StoreError) {
        guard let annotations else { return }
        guard annotations.count <= maxAnnotations else {
            throw .tooMany(what: "\(what) annotations", count: annotations.count, limit: maxAnnotations)
        }
        for (k, v) in annotations where k.utf8.count + v.utf8.count > maxAnnotationBytes {
            throw .invalidManifest("\(what) annotation \(k.prefix(64)) is too long")
        }
    }

    static func validate(_ m: ImageManifest) throws(StoreError) {
        guard m.schemaVersion == 2 else { throw .invalidManifest("schemaVersion \(m.schemaVersion)") }
        guard m.mediaType == MediaType.imageManifest else { throw .invalidManifest("mediaType \(m.mediaType.prefix(100))") }
        guard m.artifactType == MediaType.model else { throw .invalidManifest("not an Arca model (artifactType \(m.artifactType ?? "none"))") }
        guard m.config.mediaType == MediaType.config else { throw .invalidManifest("config mediaType \(m.config.mediaType.prefix(100))") }
        guard m.layers.count <= maxLayers else { throw .tooMany(what: "manifest layers", count: m.layers.count, limit: maxLayers) }
        try validate(m.config, what: "config")
        for (i, layer) in m.layers.enumerated() {
            try validate(layer, what: "layer \(i)")
            if layer.mediaType == MediaType.weights {
                guard let text = layer.annotations?[Annotation.uncompressedSize], let n = Int64(text), n >= 0 else {
                    throw .invalidManifest("weights layer \(i) lacks a valid \(Annotation.uncompressedSize)")
                }
            }
        }
        try validate(m.annotations, what: "manifest")
    }

    static func validate(_ index: ImageIndex) throws(StoreError) {
        guard index.schemaVersion == 2 else { throw .malformedJSON(what: "index.json", reason: "schemaVersion \(index.schemaVersion)") }
        guard index.manifests.count <= maxManifests else {
            throw .tooMany(what: "index.json manifests", count: index.manifests.count, limit: maxManifests)
        }
        for (i, d) in index.manifests.enumerated() { try validate(d, what: "index entry \(i)") }
    }

    private static func reason(_ e: DecodingError) -> String {
        switch e {
        case .dataCorrupted(let c): "\(c.debugDescription) at \(path(c.codingPath))"
        case .keyNotFound(let k, let c): "missing key \(k.stringValue) at \(path(c.codingPath))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): "\(c.debugDescription) at \(path(c.codingPath))"
        @unknown default: "\(e)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "top level" : keys.map(\.stringValue).joined(separator: ".")
    }
}
