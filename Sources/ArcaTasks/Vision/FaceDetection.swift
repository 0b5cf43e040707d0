/// A detected face, coordinates normalized to the image (or the model input before letterbox removal).
public struct FaceDetection: Sendable, Equatable {
    public var score: Float
    public var xmin: Float, ymin: Float, width: Float, height: Float
    /// Six keypoints in MediaPipe order: right eye, left eye, nose tip, mouth centre, right ear tragion, left ear tragion.
    public var keypoints: [(x: Float, y: Float)]

    public static let keypointNames = ["right_eye", "left_eye", "nose_tip", "mouth_center", "right_ear_tragion", "left_ear_tragion"]

    public static func == (a: Self, b: Self) -> Bool {
        a.score == b.score && a.xmin == b.xmin && a.ymin == b.ymin && a.width == b.width && a.height == b.height
            && a.keypoints.count == b.keypoints.count && zip(a.keypoints, b.keypoints).allSatisfy { $0.x == $1.x && $0.y == $1.y }
    }
}

/// Options of MediaPipe's `TensorsToDetectionsCalculator` + `NonMaxSuppressionCalculator` for the face models.
public struct FaceDecodeOptions: Sendable, Equatable {
    public var numCoords = 16
    public var boxCoordOffset = 0
    public var keypointCoordOffset = 4
    public var numKeypoints = 6
    public var numValuesPerKeypoint = 2
    public var xScale: Float, yScale: Float, wScale: Float, hScale: Float
    public var scoreClippingThresh: Float = 100
    public var minScoreThresh: Float
    public var minSuppressionThreshold: Float = 0.3
    public var maxDetections = Int.max

    public init(xScale: Float, yScale: Float, wScale: Float, hScale: Float, minScoreThresh: Float) {
        (self.xScale, self.yScale, self.wScale, self.hScale, self.minScoreThresh) = (xScale, yScale, wScale, hScale, minScoreThresh)
    }

    /// face_detection_short_range: scales 128, score ≥ 0.5.
    public static let shortRange = FaceDecodeOptions(xScale: 128, yScale: 128, wScale: 128, hScale: 128, minScoreThresh: 0.5)
    /// face_detection_full_range: scales 192, score ≥ 0.6 (the full-range graph's threshold before NMS).
    public static let fullRange = FaceDecodeOptions(xScale: 192, yScale: 192, wScale: 192, hScale: 192, minScoreThresh: 0.6)
}

/// Errors decoding detector outputs.
public enum VisionError: Error, Equatable, CustomStringConvertible {
    case shapeMismatch(String)
    case badModelOutput(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let s): "detector output shape mismatch: \(s)"
        case .badModelOutput(let s): "vision model: \(s)"
        }
    }
}
