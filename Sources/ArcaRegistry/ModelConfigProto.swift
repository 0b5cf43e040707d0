import CArcaProto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ModelConfig {
    /// The `arca.v1.ModelConfig` protobuf bytes of this config, after ``validate()``.
    ///
    /// Map entries are written in key order, so equal configs give equal bytes (and equal digests).
    public func serialized() throws(ModelConfigError) -> [UInt8] {
        try validate()
        let arena = CArena()
        guard let msg = arena.message(Arca__V1__ModelConfig.self, arca__v1__model_config__init) else { throw .outOfMemory }
        let built = fill(msg, arena: arena)
        guard built, !arena.failed else { throw .outOfMemory }
        let size = arca__v1__model_config__get_packed_size(msg)
        guard size <= Limits.maxSerializedSize else { throw .tooLarge(size: size, limit: Limits.maxSerializedSize) }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBufferPointer { arca__v1__model_config__pack(msg, $0.baseAddress) }
        guard written == size else { throw .malformedProtobuf }
        return out
    }

    /// Decodes and validates `arca.v1.ModelConfig` protobuf bytes.
    public init(serialized bytes: [UInt8]) throws(ModelConfigError) {
        guard bytes.count <= Limits.maxSerializedSize else { throw .tooLarge(size: bytes.count, limit: Limits.maxSerializedSize) }
        let raw = bytes.withUnsafeBufferPointer { arca__v1__model_config__unpack(nil, $0.count, $0.baseAddress) }
        guard let raw else { throw .malformedProtobuf }
        defer { arca__v1__model_config__free_unpacked(raw, nil) }
        self = try Self.read(raw.pointee)
        try validate()
    }

    private func fill(_ msg: UnsafeMutablePointer<Arca__V1__ModelConfig>, arena: CArena) -> Bool {
        msg.pointee.name = arena.string(name)
        msg.pointee.variant = arena.string(variant)
        msg.pointee.task = Arca__V1__Task(rawValue: numericCast(Self.taskNumber(task)))
        (msg.pointee.n_inputs, msg.pointee.inputs) = (inputs.count, arena.messages(inputs) { Self.fill($0, $1, arena) })
        (msg.pointee.n_outputs, msg.pointee.outputs) = (outputs.count, arena.messages(outputs) { Self.fill($0, $1, arena) })
        msg.pointee.licence = arena.string(licence)
        msg.pointee.created_by = arena.string(createdBy)
        msg.pointee.arca_version = arena.string(arcaVersion)
        if let p = preprocessing, let m = arena.message(Arca__V1__Preprocessing.self, arca__v1__preprocessing__init) {
            m.pointee.resize_mode = arena.string(p.resizeMode)
            m.pointee.value_min = p.valueMin
            m.pointee.value_max = p.valueMax
            m.pointee.input_width = p.inputWidth
            m.pointee.input_height = p.inputHeight
            m.pointee.keep_aspect = p.keepAspect ? 1 : 0
            msg.pointee.preprocessing = m
        }
        if let p = postprocessing, let m = arena.message(Arca__V1__Postprocessing.self, arca__v1__postprocessing__init) {
            m.pointee.score_threshold = p.scoreThreshold
            m.pointee.nms_threshold = p.nmsThreshold
            m.pointee.num_keypoints = p.numKeypoints
            let entries = p.extra.sorted { $0.key < $1.key }
            m.pointee.n_extra = entries.count
            m.pointee.extra = arena.messages(entries, init: arca__v1__postprocessing__extra_entry__init) { e, kv in
                e.pointee.key = arena.string(kv.key)
                e.pointee.value = arena.string(kv.value)
            }
            if let a = p.anchors, let am = arena.message(Arca__V1__AnchorOptions.self, arca__v1__anchor_options__init) {
                am.pointee.num_layers = a.numLayers
                am.pointee.min_scale = a.minScale
                am.pointee.max_scale = a.maxScale
                am.pointee.input_size_width = a.inputSizeWidth
                am.pointee.input_size_height = a.inputSizeHeight
                am.pointee.anchor_offset_x = a.anchorOffsetX
                am.pointee.anchor_offset_y = a.anchorOffsetY
                (am.pointee.n_strides, am.pointee.strides) = (a.strides.count, arena.array(a.strides))
                (am.pointee.n_aspect_ratios, am.pointee.aspect_ratios) = (a.aspectRatios.count, arena.array(a.aspectRatios))
                am.pointee.fixed_anchor_size = a.fixedAnchorSize ? 1 : 0
                am.pointee.interpolated_scale_aspect_ratio = a.interpolatedScaleAspectRatio
                m.pointee.anchors = am
            }
            msg.pointee.postprocessing = m
        }
        if let f = facts, let m = arena.message(Arca__V1__VariantFacts.self, arca__v1__variant_facts__init) {
            m.pointee.dtype = arena.string(f.dtype)
            m.pointee.expected_accuracy = f.expectedAccuracy
            m.pointee.accuracy_metric = arena.string(f.accuracyMetric)
            m.pointee.size_bytes = f.sizeBytes
            m.pointee.n_latency = f.latency.count
            m.pointee.latency = arena.messages(f.latency, init: arca__v1__latency_fact__init) { l, fact in
                l.pointee.threads = fact.threads
                l.pointee.batch = fact.batch
                l.pointee.seq = fact.seq
                l.pointee.median_ms = fact.medianMs
            }
            msg.pointee.facts = m
        }
        if let s = source, let m = arena.message(Arca__V1__Source.self, arca__v1__source__init) {
            m.pointee.uri = arena.string(s.uri)
            m.pointee.sha256 = arena.string(s.sha256)
            m.pointee.package = arena.string(s.package)
            m.pointee.version = arena.string(s.version)
            m.pointee.member_path = arena.string(s.memberPath)
            msg.pointee.source = m
        }
        return true
    }

    private static func fill(_ m: UnsafeMutablePointer<Arca__V1__TensorSpec>, _ spec: TensorSpec, _ arena: CArena) {
        m.pointee.name = arena.string(spec.name)
        m.pointee.dtype = arena.string(spec.dtype)
        (m.pointee.n_shape, m.pointee.shape) = (spec.shape.count, arena.array(spec.shape))
    }

    static func taskNumber(_ task: Task) -> Int {
        switch task {
        case .faceDetection: 1
        case .selfieSegmentation: 2
        case .textEmbedding: 3
        case .generic: 4
        }
    }

    private static func read(_ c: Arca__V1__ModelConfig) throws(ModelConfigError) -> ModelConfig {
        let taskValue = Int(c.task.rawValue)
        guard let task = Task.allCases.first(where: { taskNumber($0) == taskValue }) else { throw .unknownTask(taskValue) }
        var config = ModelConfig(name: try text(c.name, "name"), variant: try text(c.variant, "variant"), task: task)
        config.inputs = try tensors(c.n_inputs, c.inputs, "inputs")
        config.outputs = try tensors(c.n_outputs, c.outputs, "outputs")
        config.licence = try text(c.licence, "licence")
        config.createdBy = try text(c.created_by, "created_by")
        config.arcaVersion = try text(c.arca_version, "arca_version")
        if let p = c.preprocessing?.pointee {
            var pre = Preprocessing()
            pre.resizeMode = try text(p.resize_mode, "preprocessing.resize_mode")
            (pre.valueMin, pre.valueMax) = (p.value_min, p.value_max)
            (pre.inputWidth, pre.inputHeight, pre.keepAspect) = (p.input_width, p.input_height, p.keep_aspect != 0)
            config.preprocessing = pre
        }
        if let p = c.postprocessing?.pointee {
            var post = Postprocessing()
            (post.scoreThreshold, post.nmsThreshold, post.numKeypoints) = (p.score_threshold, p.nms_threshold, p.num_keypoints)
            try bound(p.n_extra, "postprocessing.extra")
            for i in 0..<p.n_extra {
                guard let e = p.extra?[i]?.pointee else { throw .malformedProtobuf }
                post.extra[try text(e.key, "postprocessing.extra key")] = try text(e.value, "postprocessing.extra value",
                                                                                   limit: Limits.maxExtraValueBytes)
            }
            if let a = p.anchors?.pointee {
                var anchors = AnchorOptions()
                (anchors.numLayers, anchors.minScale, anchors.maxScale) = (a.num_layers, a.min_scale, a.max_scale)
                (anchors.inputSizeWidth, anchors.inputSizeHeight) = (a.input_size_width, a.input_size_height)
                (anchors.anchorOffsetX, anchors.anchorOffsetY) = (a.anchor_offset_x, a.anchor_offset_y)
                anchors.strides = try scalars(a.n_strides, a.strides, "postprocessing.anchors.strides")
                anchors.aspectRatios = try scalars(a.n_aspect_ratios, a.aspect_ratios, "postprocessing.anchors.aspect_ratios")
                anchors.fixedAnchorSize = a.fixed_anchor_size != 0
                anchors.interpolatedScaleAspectRatio = a.interpolated_scale_aspect_ratio
                post.anchors = anchors
            }
            config.postprocessing = post
        }
        if let f = c.facts?.pointee {
            var facts = VariantFacts()
            facts.dtype = try text(f.dtype, "facts.dtype")
            facts.expectedAccuracy = f.expected_accuracy
            facts.accuracyMetric = try text(f.accuracy_metric, "facts.accuracy_metric")
            facts.sizeBytes = f.size_bytes
            try bound(f.n_latency, "facts.latency")
            for i in 0..<f.n_latency {
                guard let l = f.latency?[i]?.pointee else { throw .malformedProtobuf }
                facts.latency.append(LatencyFact(threads: l.threads, batch: l.batch, seq: l.seq, medianMs: l.median_ms))
            }
            config.facts = facts
        }
        if let s = c.source?.pointee {
            var source = Source()
            source.uri = try text(s.uri, "source.uri")
            source.sha256 = try text(s.sha256, "source.sha256")
            source.package = try text(s.package, "source.package")
            source.version = try text(s.version, "source.version")
            source.memberPath = try text(s.member_path, "source.member_path")
            config.source = source
        }
        return config
    }

    private static func bound(_ count: Int, _ field: String) throws(ModelConfigError) {
        guard count <= Limits.maxListEntries else { throw .tooMany(field: field, count: count, limit: Limits.maxListEntries) }
    }

    private static func text(_ p: UnsafeMutablePointer<CChar>?, _ field: String,
                             limit: Int = Limits.maxStringBytes) throws(ModelConfigError) -> String {
        guard let p else { return "" }
        guard strnlen(p, limit + 1) <= limit else {
            throw .invalid(field: field, reason: "longer than \(limit) bytes")
        }
        guard let s = String(validatingCString: p) else { throw .invalidUTF8(field: field) }
        return s
    }

    private static func scalars<T>(_ n: Int, _ p: UnsafeMutablePointer<T>?, _ field: String) throws(ModelConfigError) -> [T] {
        try bound(n, field)
        guard n > 0 else { return [] }
        guard let p else { throw .malformedProtobuf }
        return Array(UnsafeBufferPointer(start: p, count: n))
    }

    private static func tensors(
        _ n: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<Arca__V1__TensorSpec>?>?, _ field: String
    ) throws(ModelConfigError) -> [TensorSpec] {
        guard n <= Limits.maxTensors else { throw .tooMany(field: field, count: n, limit: Limits.maxTensors) }
        var out: [TensorSpec] = []
        for i in 0..<n {
            guard let t = p?[i]?.pointee else { throw .malformedProtobuf }
            out.append(TensorSpec(name: try text(t.name, "\(field)[\(i)].name"), dtype: try text(t.dtype, "\(field)[\(i)].dtype"),
                                  shape: try scalars(t.n_shape, t.shape, "\(field)[\(i)].shape")))
        }
        return out
    }
}

/// Owns every C allocation made while building a protobuf-c message tree for packing.
final class CArena {
    private var pointers: [UnsafeMutableRawPointer] = []
    private(set) var failed = false

    deinit { for p in pointers { free(p) } }

    func string(_ s: String) -> UnsafeMutablePointer<CChar>? {
        guard let p = strdup(s) else { failed = true; return nil }
        pointers.append(UnsafeMutableRawPointer(p))
        return p
    }

    func message<M>(_ type: M.Type, _ initialize: (UnsafeMutablePointer<M>?) -> Void) -> UnsafeMutablePointer<M>? {
        guard let raw = calloc(1, MemoryLayout<M>.stride) else { failed = true; return nil }
        pointers.append(raw)
        let p = raw.bindMemory(to: M.self, capacity: 1)
        initialize(p)
        return p
    }

    func array<T>(_ values: [T]) -> UnsafeMutablePointer<T>? {
        guard !values.isEmpty else { return nil }
        guard let raw = calloc(values.count, MemoryLayout<T>.stride) else { failed = true; return nil }
        pointers.append(raw)
        let p = raw.bindMemory(to: T.self, capacity: values.count)
        for (i, v) in values.enumerated() { (p + i).initialize(to: v) }
        return p
    }

    func messages<M, V>(
        _ values: [V], init initialize: (UnsafeMutablePointer<M>?) -> Void, _ fill: (UnsafeMutablePointer<M>, V) -> Void
    ) -> UnsafeMutablePointer<UnsafeMutablePointer<M>?>? {
        let items: [UnsafeMutablePointer<M>?] = values.map { v in
            guard let m = message(M.self, initialize) else { return nil }
            fill(m, v)
            return m
        }
        return array(items)
    }

    func messages(
        _ specs: [ModelConfig.TensorSpec], _ fill: (UnsafeMutablePointer<Arca__V1__TensorSpec>, ModelConfig.TensorSpec) -> Void
    ) -> UnsafeMutablePointer<UnsafeMutablePointer<Arca__V1__TensorSpec>?>? {
        messages(specs, init: arca__v1__tensor_spec__init, fill)
    }
}
