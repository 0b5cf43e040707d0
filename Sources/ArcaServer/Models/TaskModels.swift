/// Face detection on an encoded image, for `POST /v1/faces`.
///
/// Called on a server worker thread; synchronous and may block. `image` is the raw request
/// file (JPEG or PNG, at most the server's image byte limit); decoding it is the detector's job,
/// and an undecodable image is ``InferenceError/invalidInput(_:)``.
public protocol FaceDetector: ServedModel {
    func detect(image: [UInt8], variant: String) throws -> FaceDetectionResult
}

/// Selfie / person segmentation on an encoded image, for `POST /v1/segment`.
public protocol Segmenter: ServedModel {
    func segment(image: [UInt8], variant: String) throws -> SegmentationResult
}

/// Sentence embeddings, for `POST /v1/embeddings` and the text task routes.
///
/// The server batches concurrent requests: one call may carry the texts of several requests.
/// Return one vector per text, in order, and the number of tokens each text used.
public protocol TextEmbedder: ServedModel {
    func embed(_ texts: [String], variant: String) throws -> EmbeddingBatch
}

/// The result of ``TextEmbedder/embed(_:variant:)``.
public struct EmbeddingBatch: Sendable, Equatable {
    public var vectors: [[Float]]
    public var tokenCounts: [Int]
    public init(vectors: [[Float]], tokenCounts: [Int]) {
        self.vectors = vectors
        self.tokenCounts = tokenCounts
    }
}

/// Faces found in one image. Coordinates are in pixels of the original image.
public struct FaceDetectionResult: Sendable, Equatable, Codable {
    public var width: Int
    public var height: Int
    public var faces: [DetectedFace]
    public init(width: Int, height: Int, faces: [DetectedFace]) {
        self.width = width
        self.height = height
        self.faces = faces
    }
}

public struct DetectedFace: Sendable, Equatable, Codable {
    /// A box relative to the image: `x`, `y` of the top-left corner, in [0, 1].
    public struct Box: Sendable, Equatable, Codable {
        public var x: Float, y: Float, width: Float, height: Float
        public init(x: Float, y: Float, width: Float, height: Float) {
            (self.x, self.y, self.width, self.height) = (x, y, width, height)
        }
    }
    /// A named keypoint relative to the image (MediaPipe's six: right_eye, left_eye, nose_tip,
    /// mouth_center, right_ear_tragion, left_ear_tragion).
    public struct Keypoint: Sendable, Equatable, Codable {
        public var name: String, x: Float, y: Float
        public init(name: String, x: Float, y: Float) { (self.name, self.x, self.y) = (name, x, y) }
    }
    public var score: Float
    public var box: Box
    public var keypoints: [Keypoint]
    public init(score: Float, box: Box, keypoints: [Keypoint]) {
        self.score = score
        self.box = box
        self.keypoints = keypoints
    }
}

/// A foreground mask at the original image size.
public struct SegmentationResult: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// The mask as an 8-bit grayscale PNG (255 = foreground).
    public var maskPNG: [UInt8]
    /// Fraction of pixels classified foreground, in 0...1.
    public var foregroundFraction: Float
    public init(width: Int, height: Int, maskPNG: [UInt8], foregroundFraction: Float) {
        self.width = width
        self.height = height
        self.maskPNG = maskPNG
        self.foregroundFraction = foregroundFraction
    }
}
