import ArcaTensor

/// Pre- and post-processing settings of a MediaPipe face detector, as its graph configures them.
public struct FaceModelConfig: Sendable {
    public var inputWidth: Int, inputHeight: Int
    public var decode: FaceDecodeOptions
    /// SSD anchors, generated once.
    public let anchors: [SSDAnchor]

    public init(inputWidth: Int, inputHeight: Int, anchorOptions: SSDAnchorOptions, decode: FaceDecodeOptions) {
        (self.inputWidth, self.inputHeight, self.decode) = (inputWidth, inputHeight, decode)
        anchors = SSDAnchors.generate(anchorOptions)
    }

    /// `face_detection_short_range.tflite`: 128x128 input, 896 anchors.
    public static let shortRange = FaceModelConfig(inputWidth: 128, inputHeight: 128, anchorOptions: .faceShortRange, decode: .shortRange)
    /// `face_detection_full_range_sparse.tflite`: 192x192 input, 2304 anchors.
    public static let fullRange = FaceModelConfig(inputWidth: 192, inputHeight: 192, anchorOptions: .faceFullRange, decode: .fullRange)

    /// Letterboxed `[1, H, W, 3]` input in [-1, 1] and the ROI to map detections back.
    public func preprocess(_ image: RGBImage) throws -> (input: Tensor, roi: ImageROI) {
        let (t, roi) = try ImageToTensor.tensor(from: image, width: inputWidth, height: inputHeight, keepAspectRatio: true, range: .minusOneToOne)
        return (t, roi)
    }

    /// Faces relative to the original image from the raw outputs (`[1, N, 16]` regressors, `[1, N, 1]` logits).
    public func postprocess(regressors: Tensor, scores: Tensor, roi: ImageROI) throws -> [FaceDetection] {
        try FaceDecoder.faces(regressors: regressors.floats(), scores: scores.floats(), anchors: anchors, options: decode, roi: roi)
    }
}

/// Pre- and post-processing settings of a MediaPipe selfie segmentation model.
public struct SelfieModelConfig: Sendable {
    public var inputWidth: Int, inputHeight: Int

    public init(inputWidth: Int, inputHeight: Int) {
        (self.inputWidth, self.inputHeight) = (inputWidth, inputHeight)
    }

    /// `selfie_segmentation.tflite`: 256x256.
    public static let general = SelfieModelConfig(inputWidth: 256, inputHeight: 256)
    /// `selfie_segmentation_landscape.tflite`: 256 wide, 144 high.
    public static let landscape = SelfieModelConfig(inputWidth: 256, inputHeight: 144)

    /// The whole image stretched to `[1, H, W, 3]`, values in [0, 1].
    public func preprocess(_ image: RGBImage) throws -> Tensor {
        try ImageToTensor.tensor(from: image, width: inputWidth, height: inputHeight, keepAspectRatio: false, range: .zeroToOne).0
    }

    /// The model's `[1, H, W, 1]` probabilities resized to the image.
    public func postprocess(output: Tensor, imageWidth: Int, imageHeight: Int) throws -> SegmentationMask {
        try SegmentationMask(modelOutput: output).resized(width: imageWidth, height: imageHeight)
    }
}
