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
    public init(graph: Graph, config: FaceModelConfig, pool: ThreadPool) throws {
        self.config = config
        let plan = try Plan(graph: graph.optimized(), pool: pool)
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

    public init(graph: Graph, config: SelfieModelConfig, pool: ThreadPool) throws {
        self.config = config
        let plan = try Plan(graph: graph.optimized(), pool: pool)
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
