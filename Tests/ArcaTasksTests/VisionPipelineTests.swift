import ArcaTensor
import Testing
@testable import ArcaTasks

@Suite struct VisionPipelineTests {
    struct Case: Sendable, CustomStringConvertible {
        var model: String, photo: String, width: Int, height: Int, keepAspect: Bool
        var description: String { model }
    }

    static let cases = [
        Case(model: "face_detection_short_range", photo: "grace_hopper.jpg", width: 128, height: 128, keepAspect: true),
        Case(model: "face_detection_full_range_sparse", photo: "group.jpg", width: 192, height: 192, keepAspect: true),
        Case(model: "selfie_segmentation", photo: "astronaut.jpg", width: 256, height: 256, keepAspect: false),
        Case(model: "selfie_segmentation_landscape", photo: "group.jpg", width: 256, height: 144, keepAspect: false),
    ]

    /// The fixture inputs were made with cv2.warpPerspective on Pillow-decoded photos (PROVENANCE);
    /// ours decode with the system libjpeg-turbo. Tolerance: at most 1 code, on at most 1% of bytes, except
    /// where the scale puts sample positions on exact 1/64 halves (landscape: 716/256): OpenCV's inverted
    /// matrix is a few ulp off there and rounds those positions either way, so up to 8 codes on 2% of bytes.
    @Test(arguments: cases)
    func preprocessingMatchesFixtureInput(_ c: Case) throws {
        let img = try ImageDecoder.decode(try Fixtures.image(c.photo))
        let roi = ImageROI.wholeImage(width: img.width, height: img.height, outputWidth: c.width, outputHeight: c.height, keepAspectRatio: c.keepAspect)
        let ours = ImageToTensor.sample(img, roi: roi, outputWidth: c.width, outputHeight: c.height)
        let expected = try Fixtures.npy("\(c.model)/photo.input_u8.npy").scalars(as: UInt8.self)
        #expect(ours.count == expected.count)
        let diffs = zip(ours, expected).map { abs(Int($0) - Int($1)) }
        let halfTies = c.model == "selfie_segmentation_landscape"
        #expect(diffs.max() ?? 99 <= (halfTies ? 8 : 1), "max diff \(diffs.max() ?? -1)")
        #expect(diffs.filter { $0 > 0 }.count * 100 <= diffs.count * (halfTies ? 2 : 1), "\(diffs.filter { $0 > 0 }.count) bytes differ")

        let (tensor, _) = try ImageToTensor.tensor(from: img, width: c.width, height: c.height, keepAspectRatio: c.keepAspect,
                                                   range: c.keepAspect ? .minusOneToOne : .zeroToOne)
        #expect(tensor.shape == [1, c.height, c.width, 3])
        let f = tensor.floats()
        #expect(f.min()! >= (c.keepAspect ? -1 : 0) && f.max()! <= 1)
    }

    @Test func letterboxROIMatchesProvenance() {
        let g = ImageROI.wholeImage(width: 256, height: 300, outputWidth: 128, outputHeight: 128, keepAspectRatio: true)
        #expect(g == ImageROI(x0: -22, y0: 0, width: 300, height: 300, imageWidth: 256, imageHeight: 300))
        let p = g.padding
        #expect(abs(p.left - 22.0 / 300) < 1e-12 && abs(p.right - 22.0 / 300) < 1e-12 && p.top == 0 && p.bottom == 0)
        let group = ImageROI.wholeImage(width: 716, height: 240, outputWidth: 192, outputHeight: 192, keepAspectRatio: true)
        #expect(group == ImageROI(x0: 0, y0: -238, width: 716, height: 716, imageWidth: 716, imageHeight: 240))
        let land = ImageROI.wholeImage(width: 716, height: 240, outputWidth: 256, outputHeight: 144, keepAspectRatio: false)
        #expect(land == ImageROI(x0: 0, y0: 0, width: 716, height: 240, imageWidth: 716, imageHeight: 240))
    }

    @Test func anchors() {
        let s = SSDAnchors.generate(.faceShortRange)
        #expect(s.count == 896)
        #expect(s[0] == SSDAnchor(xCenter: 0.5 / 16, yCenter: 0.5 / 16, width: 1, height: 1))
        #expect(s[1] == s[0])
        #expect(s[2].xCenter == 1.5 / 16 && s[2].yCenter == 0.5 / 16)
        #expect(s[511] == SSDAnchor(xCenter: 15.5 / 16, yCenter: 15.5 / 16, width: 1, height: 1))
        #expect(s[512] == SSDAnchor(xCenter: 0.5 / 8, yCenter: 0.5 / 8, width: 1, height: 1))
        #expect(s[512 + 6].xCenter == 1.5 / 8)
        #expect(s[895] == SSDAnchor(xCenter: 7.5 / 8, yCenter: 7.5 / 8, width: 1, height: 1))
        let f = SSDAnchors.generate(.faceFullRange)
        #expect(f.count == 2304)
        #expect(f[0] == SSDAnchor(xCenter: 0.5 / 48, yCenter: 0.5 / 48, width: 1, height: 1))
        #expect(f[49] == SSDAnchor(xCenter: 1.5 / 48, yCenter: 1.5 / 48, width: 1, height: 1))
        var sized = SSDAnchorOptions.faceShortRange
        sized.fixedAnchorSize = false
        let a = SSDAnchors.generate(sized)
        // Layer 0: scale 0.1484375, then the interpolated sqrt(0.1484375 * scale(1)).
        #expect(abs(a[0].width - 0.1484375) < 1e-7)
        #expect(abs(a[1].width - (0.1484375 * (0.1484375 + (0.75 - 0.1484375) / 3)).squareRoot()) < 1e-6)
    }

    struct FaceCase: Sendable, CustomStringConvertible {
        var model: String, photo: String, solution: String, regressors: String, scores: String
        var anchors: SSDAnchorOptions, options: FaceDecodeOptions, size: Int
        var description: String { model }
    }

    static let faceCases = [
        FaceCase(model: "face_detection_short_range", photo: "grace_hopper.jpg", solution: "short_range", regressors: "regressors", scores: "classificators",
                 anchors: .faceShortRange, options: .shortRange, size: 128),
        FaceCase(model: "face_detection_full_range_sparse", photo: "group.jpg", solution: "full_range", regressors: "Identity", scores: "Identity_1",
                 anchors: .faceFullRange, options: .fullRange, size: 192),
    ]

    /// Raw LiteRT outputs for the photo, decoded here, against MediaPipe's FaceDetection solution.
    @Test(arguments: faceCases)
    func decodeAndNMSMatchMediaPipe(_ c: FaceCase) throws {
        let reg = try Fixtures.npy("\(c.model)/photo.\(c.regressors).npy").floats()
        let logits = try Fixtures.npy("\(c.model)/photo.\(c.scores).npy").floats()
        let json = try #require(Fixtures.json("solutions/faces.json") as? [String: Any])
        let image = try #require((json["images"] as? [String: Any])?[c.photo] as? [String: Any])
        let w = try #require(image["width"] as? Int), h = try #require(image["height"] as? Int)
        let expected = try #require(image[c.solution] as? [[String: Any]])
        let roi = ImageROI.wholeImage(width: w, height: h, outputWidth: c.size, outputHeight: c.size, keepAspectRatio: true)
        let faces = try FaceDecoder.faces(regressors: reg, scores: logits, anchors: SSDAnchors.generate(c.anchors), options: c.options, roi: roi)
        #expect(faces.count == expected.count)
        for (f, e) in zip(faces, expected) {
            func num(_ k: String) -> Float { Float((e[k] as? Double) ?? .nan) }
            // MediaPipe's own answer; the brief allows 0.02 on boxes and 0.05 on scores, we hold 1e-3.
            #expect(abs(f.score - num("score")) < 1e-3)
            #expect(abs(f.xmin - num("xmin")) < 1e-3 && abs(f.ymin - num("ymin")) < 1e-3)
            #expect(abs(f.width - num("width")) < 1e-3 && abs(f.height - num("height")) < 1e-3)
            let kps = try #require(e["keypoints"] as? [String: [Double]])
            for (i, name) in FaceDetection.keypointNames.enumerated() {
                let k = try #require(kps[name])
                #expect(abs(f.keypoints[i].x - Float(k[0])) < 1e-3 && abs(f.keypoints[i].y - Float(k[1])) < 1e-3, "\(name)")
            }
        }
    }

    @Test func weightedNMSMergesOverlaps() {
        func box(_ s: Float, _ x: Float) -> FaceDetection {
            FaceDetection(score: s, xmin: x, ymin: 0, width: 1, height: 1, keypoints: [(x, 0)])
        }
        let out = FaceDecoder.weightedNMS([box(0.6, 0.2), box(0.9, 0), box(0.7, 5)], threshold: 0.3)
        #expect(out.count == 2)
        #expect(out[0].score == 0.9)
        #expect(abs(out[0].xmin - 0.6 * 0.2 / 1.5) < 1e-6)
        #expect(abs(out[0].keypoints[0].x - 0.6 * 0.2 / 1.5) < 1e-6)
        #expect(out[1].score == 0.7 && abs(out[1].xmin - 5) < 1e-6 && abs(out[1].width - 1) < 1e-5)
        // Degenerate (empty) boxes still terminate.
        #expect(FaceDecoder.weightedNMS([box(0.5, 0), FaceDetection(score: 0.9, xmin: 0, ymin: 0, width: 0, height: 0, keypoints: [])], threshold: 0.3).count == 2)
    }

    @Test func decodeRejectsWrongSizes() {
        #expect(throws: VisionError.self) {
            try FaceDecoder.decode(regressors: [0, 1], scores: [0], anchors: SSDAnchors.generate(.faceShortRange), options: .shortRange)
        }
    }

    /// Raw selfie outputs resized to the photo like MediaPipe, against the solution's mask PNG (round(conf*255)).
    @Test(arguments: [("selfie_segmentation", "activation_10", "astronaut"), ("selfie_segmentation_landscape", "segment_back", "group")])
    func maskMatchesMediaPipe(_ model: String, _ output: String, _ photo: String) throws {
        let raw = try SegmentationMask(modelOutput: try Fixtures.npy("\(model)/photo.\(output).npy"))
        let expected = try ImageDecoder.decode(try Fixtures.bytes("vision/solutions/\(photo).\(model).png"))
        let mask = try raw.resized(width: expected.width, height: expected.height)
        let ours = mask.gray8
        let diffs = (0..<ours.count).map { abs(Int(ours[$0]) - Int(expected.pixels[3 * $0])) }
        #expect(diffs.max() ?? 99 <= 1, "max diff \(diffs.max() ?? -1)")
        let png = try mask.pngData()
        let back = try ImageDecoder.decode(png)
        #expect(back.width == mask.width && (0..<ours.count).allSatisfy { back.pixels[3 * $0] == ours[$0] })
    }
}

@Suite struct VisionModelConfigTests {
    @Test func faceConfigRunsEndToEndOnFixtureOutputs() throws {
        let img = try ImageDecoder.decode(try Fixtures.image("grace_hopper.jpg"))
        let c = FaceModelConfig.shortRange
        let (input, roi) = try c.preprocess(img)
        #expect(input.shape == [1, 128, 128, 3] && c.anchors.count == 896 && FaceModelConfig.fullRange.anchors.count == 2304)
        let faces = try c.postprocess(regressors: try Fixtures.npy("face_detection_short_range/photo.regressors.npy"),
                                      scores: try Fixtures.npy("face_detection_short_range/photo.classificators.npy"), roi: roi)
        #expect(faces.count == 1)
        #expect(faces.first.map { $0.xmin > 0 && $0.xmin + $0.width < 1 && $0.keypoints.count == 6 } == true)
    }

    @Test func selfieConfigShapes() throws {
        let img = try ImageDecoder.decode(try Fixtures.image("group.jpg"))
        #expect(try SelfieModelConfig.landscape.preprocess(img).shape == [1, 144, 256, 3])
        let mask = try SelfieModelConfig.landscape.postprocess(output: try Fixtures.npy("selfie_segmentation_landscape/photo.segment_back.npy"),
                                                               imageWidth: img.width, imageHeight: img.height)
        #expect(mask.width == 716 && mask.height == 240)
        let fraction = Double(mask.values.filter { $0 > 0.5 }.count) / Double(mask.values.count)
        #expect(abs(fraction - 0.3745) < 0.01)   // PROVENANCE: mask>0.5 fraction of MediaPipe's mask
    }
}
