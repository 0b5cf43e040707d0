/// Media types and annotation keys of Arca's OCI artifacts.
public enum MediaType {
    public static let imageManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let imageIndex = "application/vnd.oci.image.index.v1+json"
    public static let model = "application/vnd.arca.model.v1"
    public static let config = "application/vnd.arca.model.config.v1+protobuf"
    public static let graph = "application/vnd.arca.graph.v1"
    public static let weights = "application/vnd.arca.weights.v1+zstd"
}

public enum Annotation {
    public static let refName = "org.opencontainers.image.ref.name"
    public static let model = "io.arca.model"
    public static let variant = "io.arca.variant"
    /// Decimal byte count of a layer after decoding.
    public static let uncompressedSize = "io.arca.uncompressed-size"
    public static let dtype = "io.arca.dtype"
}

/// An OCI content descriptor.
public struct Descriptor: Codable, Hashable, Sendable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var artifactType: String?
    public var annotations: [String: String]?

    public init(mediaType: String, digest: Digest, size: Int64, artifactType: String? = nil, annotations: [String: String]? = nil) {
        self.mediaType = mediaType; self.digest = digest; self.size = size
        self.artifactType = artifactType; self.annotations = annotations
    }
}

/// An OCI image manifest describing one model variant.
public struct ImageManifest: Codable, Hashable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String
    public var artifactType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var annotations: [String: String]?

    public init(config: Descriptor, layers: [Descriptor], annotations: [String: String]?) {
        schemaVersion = 2
        mediaType = MediaType.imageManifest
        artifactType = MediaType.model
        self.config = config; self.layers = layers; self.annotations = annotations
    }

    /// The layers with the given media type, in manifest order.
    public func layers(ofType mediaType: String) -> [Descriptor] { layers.filter { $0.mediaType == mediaType } }
}

/// The OCI image index at the root of the store.
public struct ImageIndex: Codable, Hashable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [Descriptor]

    public init(manifests: [Descriptor]) {
        schemaVersion = 2
        mediaType = MediaType.imageIndex
        self.manifests = manifests
    }
}

struct ImageLayout: Codable {
    var imageLayoutVersion: String
}
