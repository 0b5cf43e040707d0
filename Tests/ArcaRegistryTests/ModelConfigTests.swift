import Testing
@testable import ArcaRegistry

@Suite struct ModelConfigTests {
    static func sample() -> ModelConfig {
        var c = ModelConfig(name: "blazeface", variant: "short-fp32", task: .faceDetection)
        c.inputs = [.init(name: "input", dtype: "float32", shape: [1, 128, 128, 3])]
        c.outputs = [.init(name: "regressors", dtype: "float32", shape: [1, 896, 16]),
                     .init(name: "classificators", dtype: "float32", shape: [-1, 896, 1])]
        var pre = ModelConfig.Preprocessing()
        pre.resizeMode = "letterbox"; pre.valueMin = -1; pre.valueMax = 1
        pre.inputWidth = 128; pre.inputHeight = 128; pre.keepAspect = true
        c.preprocessing = pre
        var anchors = ModelConfig.AnchorOptions()
        anchors.numLayers = 4; anchors.minScale = 0.1484375; anchors.maxScale = 0.75
        anchors.inputSizeWidth = 128; anchors.inputSizeHeight = 128
        anchors.strides = [8, 16, 16, 16]; anchors.aspectRatios = [1]; anchors.fixedAnchorSize = true
        var post = ModelConfig.Postprocessing()
        post.anchors = anchors; post.scoreThreshold = 0.5; post.nmsThreshold = 0.3; post.numKeypoints = 6
        post.extra = ["z": "last", "a": "first", "sigmoid": "true"]
        c.postprocessing = post
        var facts = ModelConfig.VariantFacts()
        facts.dtype = "float32"; facts.expectedAccuracy = 0.98; facts.accuracyMetric = "iou@0.5"
        facts.latency = [.init(threads: 1, medianMs: 1.25), .init(threads: 4, batch: 2, seq: 0, medianMs: 0.5)]
        facts.sizeBytes = 229_714
        c.facts = facts
        var source = ModelConfig.Source()
        source.uri = "https://pypi.org/project/mediapipe/0.10.14/"; source.sha256 = String(repeating: "0", count: 64)
        source.package = "mediapipe"; source.version = "0.10.14"; source.memberPath = "mediapipe/modules/face_detection/face_detection_short_range.tflite"
        c.source = source
        c.licence = "Apache-2.0"; c.createdBy = "tests"; c.arcaVersion = "0.1.0"
        return c
    }

    @Test func roundTrip() throws {
        let c = Self.sample()
        let bytes = try c.serialized()
        #expect(try ModelConfig(serialized: bytes) == c)
        let minimal = ModelConfig(name: "m", variant: "", task: .generic)
        #expect(try ModelConfig(serialized: minimal.serialized()) == minimal)
    }

    @Test func serializationIsDeterministic() throws {
        var a = Self.sample(), b = Self.sample()
        a.postprocessing?.extra = ["k1": "v1", "k2": "v2", "k3": "v3"]
        b.postprocessing?.extra = ["k3": "v3", "k1": "v1", "k2": "v2"]
        #expect(try a.serialized() == b.serialized())
    }

    @Test func invalidConfigsAreRefusedOnEncode() {
        var c = Self.sample()
        c.name = ""
        #expect(throws: ModelConfigError.invalid(field: "name", reason: "empty")) { try c.serialized() }
        c = Self.sample()
        c.inputs[0].shape = [1, -5]
        #expect(throws: ModelConfigError.self) { try c.serialized() }
        c = Self.sample()
        c.inputs[0].dtype = "float64"
        #expect(throws: ModelConfigError.invalid(field: "inputs[0].dtype", reason: "unknown dtype")) { try c.serialized() }
        c = Self.sample()
        c.name = "../evil"
        #expect(throws: ModelConfigError.self) { try c.serialized() }
    }

    /// Protobuf bytes built by hand: field 1 (name) = "a", field 3 (task), then `rest`.
    func crafted(task: UInt8 = 4, _ rest: [UInt8] = []) -> [UInt8] { [0x0A, 1, UInt8(ascii: "a"), 0x18, task] + rest }

    @Test func craftedBytesGiveTypedErrors() throws {
        #expect(try ModelConfig(serialized: crafted()).name == "a")
        #expect(throws: ModelConfigError.unknownTask(0)) { try ModelConfig(serialized: crafted(task: 0)) }
        #expect(throws: ModelConfigError.unknownTask(99)) { try ModelConfig(serialized: crafted(task: 99)) }
        #expect(throws: ModelConfigError.invalid(field: "name", reason: "empty")) { try ModelConfig(serialized: [0x18, 1]) }
        let tooManyInputs = crafted([UInt8](repeating: 0, count: 65 * 2).enumerated().map { $0.offset % 2 == 0 ? 0x22 : 0 })
        #expect(throws: ModelConfigError.tooMany(field: "inputs", count: 65, limit: 64)) { try ModelConfig(serialized: tooManyInputs) }
        // inputs[0] { dtype "float32", shape [-2] } with -2 as a 10-byte varint.
        let negative = crafted([0x22, 23, 0x12, 7] + Array("float32".utf8) + [0x18, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] + [0x0A, 1, UInt8(ascii: "x")])
        #expect(throws: ModelConfigError.invalid(field: "inputs[0].shape", reason: "dimensions must be in -1...2^31 (-1 = dynamic)")) {
            try ModelConfig(serialized: negative)
        }
        #expect(throws: ModelConfigError.self) { try ModelConfig(serialized: [0x0A, 2, 0xFF, 0xFE, 0x18, 1]) }
        #expect(throws: ModelConfigError.malformedProtobuf) { try ModelConfig(serialized: [0x0A, 200, 1]) }
        let big = [UInt8](repeating: 0, count: ModelConfig.Limits.maxSerializedSize + 1)
        #expect(throws: ModelConfigError.tooLarge(size: big.count, limit: ModelConfig.Limits.maxSerializedSize)) { try ModelConfig(serialized: big) }
    }

    @Test func garbageNeverCrashes() throws {
        let valid = try Self.sample().serialized()
        var g = SplitMix(state: 21)
        for round in 0..<2000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = valid
                for _ in 0..<(1 + Int(g.next() % 6)) {
                    let i = Int(g.next() % UInt64(bytes.count))
                    bytes[i] = UInt8(truncatingIfNeeded: g.next())
                }
                if round % 4 == 0 { bytes = Array(bytes[..<Int(g.next() % UInt64(bytes.count))]) }
            } else {
                bytes = TestSupport.randomBytes(Int(g.next() % 200), seed: g.next())
            }
            if let c = try? ModelConfig(serialized: bytes) { #expect((try? c.validate()) != nil) }
        }
    }
}
