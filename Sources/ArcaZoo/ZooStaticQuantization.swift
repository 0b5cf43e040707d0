import ArcaIR
import ArcaKernels
import ArcaRuntime
import ArcaTasks
import ArcaTensor

/// How closely a quantized vision model follows its float twin on a set of images.
public struct VisionAgreement: Sendable, CustomStringConvertible {
    /// Images compared.
    public var images = 0
    /// Faces found by one model and not the other (those scored within a margin of the
    /// threshold may fall either side and are not counted; see ``faces(_:_:on:margin:)``).
    public var unmatchedFaces = 0
    /// Largest difference of a matched face's box coordinates (relative to the image).
    public var worstBox: Float = 0
    /// Largest difference of a matched face's score.
    public var worstScore: Float = 0
    /// Largest and mean per-image mean absolute mask difference.
    public var worstMask: Double = 0
    public var meanMask: Double = 0

    public var description: String {
        String(format: "%d images: %d unmatched faces, box %.4f, score %.3f, mask MAD max %.4f mean %.4f",
               images, unmatchedFaces, worstBox, worstScore, worstMask, meanMask)
    }

    /// The budget a chosen quantization must meet on its calibration images: no face lost or
    /// added, boxes within 0.025 and scores within 0.1 (a looser score let BlazeFace full range
    /// keep a choice whose boxes then missed 0.02 on a fixture photo: 0.032), masks within 0.03 mean absolute difference on average and
    /// 0.15 on the worst image. (The composites are harder than photos: blurred, upscaled
    /// faces and textures the segmenter has no person in.)
    public var withinBudget: Bool { unmatchedFaces == 0 && worstBox <= 0.025 && worstScore <= 0.1 && meanMask <= 0.03 && worstMask <= 0.15 }

    /// Compares face detections of two models on `images`; a face without a match (IoU ≥ 0.5)
    /// counts when scored at least `margin` above the threshold.
    public static func faces(_ a: FaceDetectorModel, _ b: FaceDetectorModel, on images: [RGBImage], margin: Float = 0.1) throws -> VisionAgreement {
        faces(try images.map { try a.detect($0) }, try images.map { try b.detect($0) },
              threshold: a.config.decode.minScoreThresh, margin: margin)
    }

    /// ``faces(_:_:on:margin:)`` of detections already made, image by image.
    public static func faces(_ a: [[FaceDetection]], _ b: [[FaceDetection]], threshold: Float, margin: Float = 0.1) -> VisionAgreement {
        var r = VisionAgreement()
        for (fa, fb) in zip(a, b) {
            r.images += 1
            var used = Set<Int>()
            for x in fa {
                let match = fb.indices.filter { !used.contains($0) }.max { FaceDecoder.iou(x, fb[$0]) < FaceDecoder.iou(x, fb[$1]) }
                guard let j = match, FaceDecoder.iou(x, fb[j]) >= 0.5 else {
                    if x.score >= threshold + margin { r.unmatchedFaces += 1 }
                    continue
                }
                used.insert(j)
                let y = fb[j]
                r.worstBox = max(r.worstBox, abs(x.xmin - y.xmin), abs(x.ymin - y.ymin), abs(x.width - y.width), abs(x.height - y.height))
                r.worstScore = max(r.worstScore, abs(x.score - y.score))
            }
            for j in fb.indices where !used.contains(j) && fb[j].score >= threshold + margin { r.unmatchedFaces += 1 }
        }
        return r
    }

    /// Compares the masks of two segmenters on `images`.
    public static func masks(_ a: SegmenterModel, _ b: SegmenterModel, on images: [RGBImage]) throws -> VisionAgreement {
        masks(try images.map { try a.segment($0).values }, try images.map { try b.segment($0).values })
    }

    /// ``masks(_:_:on:)`` of masks already made, image by image.
    public static func masks(_ a: [[Float]], _ b: [[Float]]) -> VisionAgreement {
        var r = VisionAgreement()
        var total = 0.0
        for (ma, mb) in zip(a, b) {
            var sum = 0.0
            for i in 0..<min(ma.count, mb.count) { sum += Double(abs(ma[i] - mb[i])) }
            let mad = ma.count == mb.count ? sum / Double(max(1, ma.count)) : 1
            r.worstMask = max(r.worstMask, mad)
            total += mad
            r.images += 1
        }
        r.meanMask = total / Double(max(1, r.images))
        return r
    }
}

/// Static int8 for the zoo's vision variants: calibrates once on the variant's calibration
/// images, then applies the variant's recorded ``ZooStaticRecipe`` if it agrees with the float
/// model on those same images within ``VisionAgreement/withinBudget``; else (no recipe, or it
/// misses) takes the first of ``candidates`` (most quantized first, each bias corrected) within
/// budget, refined by a per-layer search; the most conservative candidate if none is. (Bias
/// correction is what lets more layers pass: BlazeFace short range every layer, heads too,
/// instead of float heads; selfie general layers of 1024 pixels instead of a fallback to 4096
/// that missed the budget; full range 7 float layers instead of 20.)
public enum ZooStaticQuantization {
    public static let candidates: [StaticQuantizationOptions] = [
        StaticQuantizationOptions(minimumPixels: 0, ranges: .leastSquares, biasCorrection: true),
        StaticQuantizationOptions(minimumPixels: 0, ranges: .minMax, biasCorrection: true),
        // The heads in float (BlazeFace short range without bias correction: box error 0.119 →
        // 0.0096 on the calibration composites, with every layer of the body on uint8).
        StaticQuantizationOptions(minimumPixels: 0, ranges: .leastSquares, floatHeads: true, biasCorrection: true),
        StaticQuantizationOptions(minimumPixels: 0, ranges: .minMax, floatHeads: true, biasCorrection: true),
        StaticQuantizationOptions(minimumPixels: 64, ranges: .leastSquares, floatHeads: true, biasCorrection: true),
        StaticQuantizationOptions(minimumPixels: 256, ranges: .leastSquares, biasCorrection: true),
        StaticQuantizationOptions(minimumPixels: 256, ranges: .minMax, biasCorrection: true),
        StaticQuantizationOptions(minimumPixels: 1024, ranges: .leastSquares, biasCorrection: true),
        StaticQuantizationOptions(minimumPixels: 1024, ranges: .minMax, biasCorrection: true),
        StaticQuantizationOptions(minimumPixels: 4096, ranges: .leastSquares, biasCorrection: true),
    ]

    public struct Choice: Sendable {
        public var graph: Graph
        public var options: StaticQuantizationOptions
        public var report: StaticQuantizationReport
        /// Agreement with the float model on the calibration images.
        public var agreement: VisionAgreement
        /// Every candidate tried, in order, with its agreement (the last is the choice).
        public var tried: [(options: StaticQuantizationOptions, agreement: VisionAgreement)] = []
        /// The choice written down, to record in the catalog; nil if it cannot be (see ``ZooStaticRecipe``).
        public var recipe: ZooStaticRecipe?
        /// How the choice was made: the catalog's recipe, or a search (and why the recipe was not used).
        public var origin = "search"
    }

    public static func quantize(_ graph: Graph, images: [RGBImage], task: ZooTask, variant: ZooVariant) throws -> Choice {
        let samples = try ZooLoader.calibrationInputs(images, graph: graph, task: task, variant: variant)
        guard !samples.isEmpty else { throw ZooError.catalogUnreadable("static int8 quantization needs at least one calibration image") }
        let threads = ThreadPool.shared.threadCount
        let calibration = try graph.staticCalibration(samples, threads: threads)
        // The float model's answers are computed once, not once per candidate.
        let compare: (Graph) throws -> VisionAgreement
        switch task {
        case .faceDetection:
            let config = try ZooLoader.faceConfig(variant)
            let reference = try FaceDetectorModel(graph: graph, config: config, pool: .shared)
            let expected = try images.map { try reference.detect($0) }
            compare = { g in
                let model = try FaceDetectorModel(graph: g, config: config, pool: .shared)
                return VisionAgreement.faces(expected, try images.map { try model.detect($0) }, threshold: config.decode.minScoreThresh)
            }
        case .selfieSegmentation:
            let config = try ZooLoader.selfieConfig(variant)
            let reference = try SegmenterModel(graph: graph, config: config, pool: .shared)
            let expected = try images.map { try reference.segment($0).values }
            compare = { g in
                let model = try SegmenterModel(graph: g, config: config, pool: .shared)
                return VisionAgreement.masks(expected, try images.map { try model.segment($0).values })
            }
        case .textEmbedding:
            throw ZooError.catalogUnreadable("text models take dynamic int8, not calibration images")
        }
        var missed: String?
        if let recipe = variant.staticInt8 {
            do {
                let options = try recipe.options(in: calibration.graph)
                let (q, report) = try calibration.quantized(options)
                let agreement = try compare(q)
                if report.quantizedConvolutions > 0 && agreement.withinBudget {
                    return Choice(graph: q, options: options, report: report, agreement: agreement, tried: [(options, agreement)],
                                  recipe: recipe, origin: "the catalog's recipe")
                }
                missed = "the catalog's recipe missed the budget (\(agreement))"
            } catch let e as ZooError {
                missed = "the catalog's recipe does not apply (\(e))"
            }
        }
        var choice = try search(calibration: calibration, compare: compare)
        choice.recipe = ZooStaticRecipe(choice.options, graph: calibration.graph)
        choice.origin = missed.map { "search: \($0)" } ?? "search"
        return choice
    }

    /// The first candidate within budget, refined; the last candidate if none is.
    static func search(calibration: StaticCalibration, compare: (Graph) throws -> VisionAgreement) throws -> Choice {
        var last: Choice?
        var tried: [(options: StaticQuantizationOptions, agreement: VisionAgreement)] = []
        for options in candidates {
            let (q, report) = try calibration.quantized(options)
            guard report.quantizedConvolutions > 0 else { continue }
            let agreement = try compare(q)
            tried.append((options, agreement))
            let choice = Choice(graph: q, options: options, report: report, agreement: agreement, tried: tried)
            if agreement.withinBudget {
                // Below every layer (or with heads float too), a per-layer search may quantize more.
                if options.minimumPixels > 0, let refined = try refine(choice, calibration: calibration, compare: compare) { return refined }
                return choice
            }
            last = choice
        }
        guard let last else { throw ZooError.catalogUnreadable("static int8 quantization found no convolution with constant weights to quantize") }
        return last
    }
}
