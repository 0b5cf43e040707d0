import ArcaIR
import ArcaKernels
import ArcaRuntime
import ArcaTensor

/// A MediaPipe face detector ready to run: its settings and a plan of its graph.
/// `detect` is serialised by the plan; build one model per concurrent stream.
public final class FaceDetectorModel: @unchecked Sendable {
    public let config: FaceModelConfig
    public let plan: Plan
    public let inputName: String
    public let regressorsName: String
    public let scoresName: String

    /// The graph must have one `[1, H, W, 3]` input and two outputs: `[1, N, 16]` boxes and `[1, N, 1]` logits.
    /// With `arena`, the plan works in that shared memory (its runs then serialise with every
    /// other plan on it, see ``SharedArena``) and packs its weights into `weightCache`; plans
    /// share packings only when built from one graph's constants, so pass `plan.graph` of a
    /// first model with `optimized` set to plan the same variant again.
    public init(graph: Graph, config: FaceModelConfig, pool: ThreadPool, arena: SharedArena? = nil,
                weightCache: PackedWeightCache? = nil, optimized: Bool = false) throws {
        self.config = config
        let plan = try Plan.vision(optimized ? graph : graph.optimized(), pool: pool, arena: arena, weightCache: weightCache)
        self.plan = plan
        let g = plan.graph
        guard let input = g.inputs.first.map({ g.values[$0].name }) else {
            throw VisionError.badModelOutput("the face model has no input")
        }
        inputName = input
        let outs = g.outputs.map { (g.values[$0].name, g.values[$0].shape) }
        guard let reg = outs.first(where: { $0.1.last == config.decode.numCoords }),
              let score = outs.first(where: { $0.1.last == 1 }) else {
            throw VisionError.badModelOutput("expected [1, N, \(config.decode.numCoords)] and [1, N, 1] outputs, got \(outs.map(\.1))")
        }
        guard reg.1.count == 3, reg.1[1] == config.anchors.count, score.1.count == 3, score.1[1] == config.anchors.count else {
            throw VisionError.badModelOutput("outputs \(reg.1) and \(score.1) do not match \(config.anchors.count) anchors")
        }
        regressorsName = reg.0
        scoresName = score.0
    }

    /// Faces in `image`, coordinates relative to the image.
    public func detect(_ image: RGBImage) throws -> [FaceDetection] {
        let (input, roi) = try config.preprocess(image)
        let out = try plan.run(inputs: [inputName: input])
        guard let r = out[regressorsName], let s = out[scoresName] else { throw VisionError.badModelOutput("missing outputs") }
        return try config.postprocess(regressors: r, scores: s, roi: roi)
    }
}

/// A MediaPipe selfie segmentation model ready to run.
public final class SegmenterModel: @unchecked Sendable {
    public let config: SelfieModelConfig
    public let plan: Plan
    public let inputName: String
    public let outputName: String

    /// `arena`, `weightCache` and `optimized` as for ``FaceDetectorModel/init(graph:config:pool:arena:weightCache:optimized:)``.
    public init(graph: Graph, config: SelfieModelConfig, pool: ThreadPool, arena: SharedArena? = nil,
                weightCache: PackedWeightCache? = nil, optimized: Bool = false) throws {
        self.config = config
        let plan = try Plan.vision(optimized ? graph : graph.optimized(), pool: pool, arena: arena, weightCache: weightCache)
        self.plan = plan
        let g = plan.graph
        guard let input = g.inputs.first.map({ g.values[$0].name }),
              let output = g.outputs.first.map({ g.values[$0].name }) else {
            throw VisionError.badModelOutput("the segmentation model needs one input and one output")
        }
        let shape = g.values[g.outputs[0]].shape
        guard shape.count == 4, shape[3] == 1 else { throw VisionError.badModelOutput("mask output \(shape), expected [1, H, W, 1]") }
        inputName = input
        outputName = output
    }

    /// The person-confidence mask at the image's size.
    public func segment(_ image: RGBImage) throws -> SegmentationMask {
        let input = try config.preprocess(image)
        let out = try plan.run(inputs: [inputName: input])
        guard let m = out[outputName] else { throw VisionError.badModelOutput("missing output \(outputName)") }
        return try config.postprocess(output: m, imageWidth: image.width, imageHeight: image.height)
    }
}

extension Plan {
    /// A vision model's plan: on its own arena, or on `arena` with weights packed into `weightCache`.
    static func vision(_ graph: Graph, pool: ThreadPool, arena: SharedArena?, weightCache: PackedWeightCache?) throws -> Plan {
        guard let arena else { return try Plan(graph: graph, pool: pool) }
        return try Plan(graph: graph, pool: pool, weightCache: weightCache ?? PackedWeightCache(), arena: arena)
    }
}
