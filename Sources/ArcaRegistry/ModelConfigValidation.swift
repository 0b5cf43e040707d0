import ArcaTensor

extension ModelConfig {
    /// Limits applied to every config, encoded or decoded.
    public enum Limits {
        public static let maxSerializedSize = 1 << 20
        public static let maxStringBytes = 4096
        /// `postprocessing.extra` values hold documents (a zoo catalog entry, with its recorded
        /// int8 recipe naming layers by their long TFLite tensor names).
        public static let maxExtraValueBytes = 64 << 10
        public static let maxTensors = 64
        public static let maxRank = 8
        public static let maxDimension: Int64 = 1 << 31
        public static let maxListEntries = 256
    }

    /// Checks names, shapes, counts and numbers; throws on the first problem.
    public func validate() throws(ModelConfigError) {
        try Self.checkName(name, field: "name", allowEmpty: false)
        try Self.checkName(variant, field: "variant", allowEmpty: true)
        for (field, specs) in [("inputs", inputs), ("outputs", outputs)] {
            guard specs.count <= Limits.maxTensors else { throw .tooMany(field: field, count: specs.count, limit: Limits.maxTensors) }
            for (i, spec) in specs.enumerated() {
                let where_ = "\(field)[\(i)]"
                try Self.checkString(spec.name, field: where_ + ".name")
                guard DType(rawValue: spec.dtype) != nil else { throw .invalid(field: where_ + ".dtype", reason: "unknown dtype") }
                guard spec.shape.count <= Limits.maxRank else { throw .tooMany(field: where_ + ".shape", count: spec.shape.count, limit: Limits.maxRank) }
                guard spec.shape.allSatisfy({ $0 >= -1 && $0 <= Limits.maxDimension }) else {
                    throw .invalid(field: where_ + ".shape", reason: "dimensions must be in -1...2^31 (-1 = dynamic)")
                }
            }
        }
        if let p = preprocessing {
            try Self.checkString(p.resizeMode, field: "preprocessing.resize_mode")
            guard p.valueMin.isFinite, p.valueMax.isFinite else { throw .invalid(field: "preprocessing.value_range", reason: "not finite") }
            guard p.inputWidth >= 0, p.inputHeight >= 0 else { throw .invalid(field: "preprocessing.input_size", reason: "negative") }
        }
        if let p = postprocessing {
            guard p.scoreThreshold.isFinite, p.nmsThreshold.isFinite else { throw .invalid(field: "postprocessing.thresholds", reason: "not finite") }
            guard p.numKeypoints >= 0, p.numKeypoints <= 1024 else { throw .invalid(field: "postprocessing.num_keypoints", reason: "outside 0...1024") }
            guard p.extra.count <= Limits.maxListEntries else { throw .tooMany(field: "postprocessing.extra", count: p.extra.count, limit: Limits.maxListEntries) }
            for (k, v) in p.extra {
                try Self.checkString(k, field: "postprocessing.extra key")
                try Self.checkString(v, field: "postprocessing.extra[\(k)]", limit: Limits.maxExtraValueBytes)
            }
            if let a = p.anchors {
                guard a.strides.count <= Limits.maxListEntries, a.aspectRatios.count <= Limits.maxListEntries else {
                    throw .tooMany(field: "postprocessing.anchors", count: max(a.strides.count, a.aspectRatios.count), limit: Limits.maxListEntries)
                }
                let floats = [a.minScale, a.maxScale, a.anchorOffsetX, a.anchorOffsetY, a.interpolatedScaleAspectRatio] + a.aspectRatios
                guard floats.allSatisfy(\.isFinite) else { throw .invalid(field: "postprocessing.anchors", reason: "not finite") }
                guard a.numLayers >= 0, a.strides.allSatisfy({ $0 > 0 }) else { throw .invalid(field: "postprocessing.anchors", reason: "negative layer count or stride") }
            }
        }
        if let f = facts {
            guard f.dtype.isEmpty || DType(rawValue: f.dtype) != nil else { throw .invalid(field: "facts.dtype", reason: "unknown dtype") }
            try Self.checkString(f.accuracyMetric, field: "facts.accuracy_metric")
            guard f.expectedAccuracy.isFinite else { throw .invalid(field: "facts.expected_accuracy", reason: "not finite") }
            guard f.latency.count <= Limits.maxListEntries else { throw .tooMany(field: "facts.latency", count: f.latency.count, limit: Limits.maxListEntries) }
            for l in f.latency where !(l.threads >= 0 && l.batch >= 0 && l.seq >= 0 && l.medianMs.isFinite && l.medianMs >= 0) {
                throw .invalid(field: "facts.latency", reason: "negative or non-finite entry")
            }
        }
        if let s = source {
            for (field, v) in [("uri", s.uri), ("sha256", s.sha256), ("package", s.package), ("version", s.version), ("member_path", s.memberPath)] {
                try Self.checkString(v, field: "source." + field)
            }
        }
        for (field, v) in [("licence", licence), ("created_by", createdBy), ("arca_version", arcaVersion)] {
            try Self.checkString(v, field: field)
        }
    }

    static func checkString(_ s: String, field: String, limit: Int = Limits.maxStringBytes) throws(ModelConfigError) {
        guard s.utf8.count <= limit else { throw .invalid(field: field, reason: "longer than \(limit) bytes") }
        guard !s.utf8.contains(0) else { throw .invalid(field: field, reason: "contains NUL") }
    }

    /// Names and variants double as OCI reference parts: `[A-Za-z0-9][A-Za-z0-9._-]*`, at most 128 bytes.
    static func checkName(_ s: String, field: String, allowEmpty: Bool) throws(ModelConfigError) {
        if s.isEmpty {
            if allowEmpty { return }
            throw .invalid(field: field, reason: "empty")
        }
        guard ModelReference.isValidComponent(s) else {
            throw .invalid(field: field, reason: "must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}")
        }
    }
}
