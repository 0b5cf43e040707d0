import Foundation

/// Face detector post-processing: box/keypoint decoding against SSD anchors, weighted NMS, letterbox removal.
public enum FaceDecoder {
    /// Decodes raw outputs (`regressors` [anchors * numCoords], `classificators` logits [anchors]) into
    /// candidates in model-input coordinates, with `reverse_output_order` (x, y, w, h) layout and sigmoid scores.
    public static func decode(regressors: [Float], scores logits: [Float], anchors: [SSDAnchor], options o: FaceDecodeOptions) throws -> [FaceDetection] {
        let n = anchors.count
        guard o.numCoords >= o.keypointCoordOffset + o.numKeypoints * o.numValuesPerKeypoint, o.numCoords >= o.boxCoordOffset + 4,
              o.numValuesPerKeypoint >= 2 else {
            throw VisionError.shapeMismatch("options do not fit \(o.numCoords) coordinates")
        }
        guard regressors.count == n * o.numCoords, logits.count == n else {
            throw VisionError.shapeMismatch("\(regressors.count) regressor and \(logits.count) score values for \(n) anchors")
        }
        var out: [FaceDetection] = []
        for i in 0..<n {
            let clipped = max(-o.scoreClippingThresh, min(o.scoreClippingThresh, logits[i]))
            let score = 1 / (1 + Foundation.exp(-clipped))
            guard score >= o.minScoreThresh else { continue }
            let a = anchors[i], r = i * o.numCoords
            let b = r + o.boxCoordOffset
            let xc = regressors[b] / o.xScale * a.width + a.xCenter
            let yc = regressors[b + 1] / o.yScale * a.height + a.yCenter
            let w = regressors[b + 2] / o.wScale * a.width
            let h = regressors[b + 3] / o.hScale * a.height
            var kps: [(x: Float, y: Float)] = []
            for k in 0..<o.numKeypoints {
                let p = r + o.keypointCoordOffset + k * o.numValuesPerKeypoint
                kps.append((regressors[p] / o.xScale * a.width + a.xCenter, regressors[p + 1] / o.yScale * a.height + a.yCenter))
            }
            out.append(FaceDetection(score: score, xmin: xc - w / 2, ymin: yc - h / 2, width: w, height: h, keypoints: kps))
        }
        return out
    }

    /// Intersection over union of two boxes; 0 when either is empty or they do not overlap.
    public static func iou(_ a: FaceDetection, _ b: FaceDetection) -> Float {
        let ix = max(0, min(a.xmin + a.width, b.xmin + b.width) - max(a.xmin, b.xmin))
        let iy = max(0, min(a.ymin + a.height, b.ymin + b.height) - max(a.ymin, b.ymin))
        let inter = ix * iy
        let union = a.width * a.height + b.width * b.height - inter
        return union > 0 && inter > 0 ? inter / union : 0
    }

    /// MediaPipe `NonMaxSuppressionCalculator` with `algorithm: WEIGHTED`, IoU overlap: take the best remaining
    /// detection, group every remaining detection with IoU above `threshold` (itself included), output the
    /// score-weighted mean box and keypoints with the best score; repeat on the rest.
    public static func weightedNMS(_ detections: [FaceDetection], threshold: Float, maxDetections: Int = .max) -> [FaceDetection] {
        var remaining = detections.enumerated().sorted { $0.element.score != $1.element.score ? $0.element.score > $1.element.score : $0.offset < $1.offset }.map(\.element)
        var out: [FaceDetection] = []
        while let top = remaining.first, out.count < maxDetections {
            var group: [FaceDetection] = [], rest: [FaceDetection] = []
            for d in remaining { if iou(top, d) > threshold { group.append(d) } else { rest.append(d) } }
            var merged = top
            if !group.isEmpty {
                let total = group.reduce(0) { $0 + $1.score }
                var xmin: Float = 0, ymin: Float = 0, xmax: Float = 0, ymax: Float = 0
                var kps = [(x: Float, y: Float)](repeating: (0, 0), count: top.keypoints.count)
                for d in group {
                    xmin += d.xmin * d.score; ymin += d.ymin * d.score
                    xmax += (d.xmin + d.width) * d.score; ymax += (d.ymin + d.height) * d.score
                    for k in kps.indices where k < d.keypoints.count {
                        kps[k].x += d.keypoints[k].x * d.score
                        kps[k].y += d.keypoints[k].y * d.score
                    }
                }
                merged.xmin = xmin / total; merged.ymin = ymin / total
                merged.width = (xmax - xmin) / total; merged.height = (ymax - ymin) / total
                merged.keypoints = kps.map { ($0.x / total, $0.y / total) }
            }
            out.append(merged)
            // The top detection always joins its own group (IoU 1), so `rest` is strictly smaller; guard degenerate boxes too.
            remaining = rest.count < remaining.count ? rest : Array(remaining.dropFirst())
        }
        return out
    }

    /// `DetectionLetterboxRemovalCalculator`: model-input coordinates → fractions of the original image.
    public static func removeLetterbox(_ d: FaceDetection, roi: ImageROI) -> FaceDetection {
        var r = d
        r.xmin = Float(roi.imageX(Double(d.xmin)))
        r.ymin = Float(roi.imageY(Double(d.ymin)))
        r.width = Float(Double(d.width) * roi.width / Double(roi.imageWidth))
        r.height = Float(Double(d.height) * roi.height / Double(roi.imageHeight))
        r.keypoints = d.keypoints.map { (Float(roi.imageX(Double($0.x))), Float(roi.imageY(Double($0.y)))) }
        return r
    }

    /// The whole pipeline after the model: decode, weighted NMS, letterbox removal.
    public static func faces(regressors: [Float], scores: [Float], anchors: [SSDAnchor], options: FaceDecodeOptions, roi: ImageROI) throws -> [FaceDetection] {
        let candidates = try decode(regressors: regressors, scores: scores, anchors: anchors, options: options)
        return weightedNMS(candidates, threshold: options.minSuppressionThreshold, maxDetections: options.maxDetections)
            .map { removeLetterbox($0, roi: roi) }
    }
}
