import ArcaTensor

/// One layer to publish: its media type, stored bytes and annotations.
public struct LayerInput: Sendable {
    public var mediaType: String
    public var bytes: [UInt8]
    public var annotations: [String: String]

    public init(mediaType: String, bytes: [UInt8], annotations: [String: String] = [:]) {
        self.mediaType = mediaType; self.bytes = bytes; self.annotations = annotations
    }

    /// The model graph, stored as given.
    public static func graph(_ bytes: [UInt8]) -> LayerInput {
        LayerInput(mediaType: MediaType.graph, bytes: bytes, annotations: [Annotation.uncompressedSize: String(bytes.count)])
    }

    /// Raw little-endian tensor bytes, encoded with ``WeightCodec``.
    public static func weights(
        _ raw: [UInt8], dtype: DType, splitPlanes: Bool = true, level: Int = WeightCodec.defaultLevel
    ) throws(WeightCodecError) -> LayerInput {
        try encodedWeights(WeightCodec.encode(raw, dtype: dtype, splitPlanes: splitPlanes, level: level))
    }

    /// An already encoded ``WeightCodec`` blob; its header supplies the annotations.
    public static func encodedWeights(_ blob: [UInt8]) throws(WeightCodecError) -> LayerInput {
        let h = try WeightCodec.header(of: blob)
        return LayerInput(mediaType: MediaType.weights, bytes: blob,
                          annotations: [Annotation.uncompressedSize: String(h.rawSize), Annotation.dtype: h.dtype.rawValue])
    }
}

/// Where a publish is, for progress bars.
public struct PublishProgress: Sendable {
    public var step: String
    public var completedBytes: Int64
    public var totalBytes: Int64
}

/// One entry of ``ModelStore/list()``.
public struct StoreEntry: Sendable, Hashable {
    public var reference: ModelReference
    public var manifest: Descriptor
}
