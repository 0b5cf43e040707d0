/// One SSD anchor: centre and size, normalized to the model input.
public struct SSDAnchor: Sendable, Equatable {
    public var xCenter: Float, yCenter: Float, width: Float, height: Float
}

/// Options of MediaPipe's `SsdAnchorsCalculator` (the subset the face detectors use).
public struct SSDAnchorOptions: Sendable, Equatable {
    public var numLayers: Int
    public var minScale: Float, maxScale: Float
    public var inputWidth: Int, inputHeight: Int
    public var anchorOffsetX: Float = 0.5, anchorOffsetY: Float = 0.5
    public var strides: [Int]
    public var aspectRatios: [Float] = [1.0]
    public var fixedAnchorSize: Bool = true
    public var interpolatedScaleAspectRatio: Float = 1.0

    public init(numLayers: Int, minScale: Float, maxScale: Float, inputWidth: Int, inputHeight: Int, strides: [Int],
                interpolatedScaleAspectRatio: Float = 1.0) {
        self.numLayers = numLayers; self.minScale = minScale; self.maxScale = maxScale
        self.inputWidth = inputWidth; self.inputHeight = inputHeight; self.strides = strides
        self.interpolatedScaleAspectRatio = interpolatedScaleAspectRatio
    }

    /// `face_detection_short_range`: 4 layers, strides 8,16,16,16 on 128x128 → 896 anchors.
    public static let faceShortRange = SSDAnchorOptions(numLayers: 4, minScale: 0.1484375, maxScale: 0.75, inputWidth: 128, inputHeight: 128,
                                                        strides: [8, 16, 16, 16])
    /// `face_detection_full_range`: 1 layer, stride 4 on 192x192, no interpolated anchor → 2304 anchors.
    public static let faceFullRange = SSDAnchorOptions(numLayers: 1, minScale: 0.1484375, maxScale: 0.75, inputWidth: 192, inputHeight: 192,
                                                       strides: [4], interpolatedScaleAspectRatio: 0.0)
}

/// MediaPipe `SsdAnchorsCalculator`: anchors ordered by layer group, then row, column, anchor.
public enum SSDAnchors {
    static func scale(_ o: SSDAnchorOptions, _ index: Int) -> Float {
        o.strides.count == 1 ? (o.minScale + o.maxScale) / 2 : o.minScale + (o.maxScale - o.minScale) * Float(index) / Float(o.strides.count - 1)
    }

    public static func generate(_ o: SSDAnchorOptions) -> [SSDAnchor] {
        var anchors: [SSDAnchor] = []
        var layer = 0
        let layers = min(o.numLayers, o.strides.count)
        while layer < layers {
            var heights: [Float] = [], widths: [Float] = []
            var last = layer
            while last < o.strides.count, o.strides[last] == o.strides[layer] {
                let s = scale(o, last)
                for ar in o.aspectRatios {
                    heights.append(s / ar.squareRoot())
                    widths.append(s * ar.squareRoot())
                }
                if o.interpolatedScaleAspectRatio > 0 {
                    let next = last == o.strides.count - 1 ? 1.0 : scale(o, last + 1)
                    let si = (s * next).squareRoot(), ar = o.interpolatedScaleAspectRatio
                    heights.append(si / ar.squareRoot())
                    widths.append(si * ar.squareRoot())
                }
                last += 1
            }
            let stride = max(1, o.strides[layer])
            let fh = (o.inputHeight + stride - 1) / stride, fw = (o.inputWidth + stride - 1) / stride
            for y in 0..<fh {
                for x in 0..<fw {
                    for a in heights.indices {
                        anchors.append(SSDAnchor(xCenter: (Float(x) + o.anchorOffsetX) / Float(fw), yCenter: (Float(y) + o.anchorOffsetY) / Float(fh),
                                                 width: o.fixedAnchorSize ? 1 : widths[a], height: o.fixedAnchorSize ? 1 : heights[a]))
                    }
                }
            }
            layer = last
        }
        return anchors
    }
}
