import Foundation
import Hummingbird

/// Image tasks. Body: the raw JPEG/PNG bytes, or `multipart/form-data` with a file part.
/// `?variant=` picks a variant; the response's `Arca-Variant` names the one used.
///
/// `POST /v1/faces` — `{"model", "variant", "width", "height", "faces": [{"score", "box": [x, y, w, h], "keypoints": [[x, y], …]}]}`.
/// `POST /v1/segment` — `{"model", "variant", "width", "height", "foreground_fraction", "mask_png": base64}`;
///   with `?format=png` the mask PNG itself (`image/png`).
/// Errors: 400 empty or undecodable image, 404 no such model or variant, 413 image too large.
struct ImageTaskRoutes {
    let state: ServerState

    private struct FacesReply: Encodable {
        var model: String
        var variant: String
        var width: Int
        var height: Int
        var faces: [DetectedFace]
    }

    private struct SegmentReply: Encodable {
        var model: String
        var variant: String
        var width: Int
        var height: Int
        var foreground_fraction: Float
        var mask_png: String
    }

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/faces") { request, _ in
            guard let detector = state.provider.faceDetector else { throw ServerError.notFound("no face detection model is served") }
            try state.requireReady(detector)
            let variant = try state.variant(for: detector, requested: request.uri.queryParameters.get("variant"))
            let image = try await imageBytes(request)
            let result = try await state.run(detector, variant: variant) { try detector.detect(image: image, variant: variant) }
            return try reply(FacesReply(model: detector.name, variant: variant, width: result.width, height: result.height, faces: result.faces),
                             model: detector.name, variant: variant)
        }
        router.post("/v1/segment") { request, _ in
            guard let segmenter = state.provider.segmenter else { throw ServerError.notFound("no segmentation model is served") }
            try state.requireReady(segmenter)
            let format = request.uri.queryParameters.get("format") ?? "json"
            guard format == "json" || format == "png" else { throw ServerError.badRequest("format must be 'json' or 'png'") }
            let variant = try state.variant(for: segmenter, requested: request.uri.queryParameters.get("variant"))
            let image = try await imageBytes(request)
            let result = try await state.run(segmenter, variant: variant) { try segmenter.segment(image: image, variant: variant) }
            if format == "png" {
                return Response(status: .ok,
                                headers: [.contentType: "image/png", .arcaVariant: variant, .arcaModel: segmenter.name],
                                body: .init(byteBuffer: ByteBuffer(bytes: result.maskPNG)))
            }
            let body = SegmentReply(model: segmenter.name, variant: variant, width: result.width, height: result.height,
                                    foreground_fraction: result.foregroundFraction, mask_png: Data(result.maskPNG).base64EncodedString())
            return try reply(body, model: segmenter.name, variant: variant)
        }
    }

    /// The uploaded image: the whole body, or the file part of a multipart form.
    private func imageBytes(_ request: Request) async throws -> [UInt8] {
        let limit = state.configuration.maxImageBytes
        let contentType = request.headers[.contentType] ?? ""
        let boundary = Multipart.boundary(contentType: contentType)
        // A multipart envelope adds headers and boundaries around the file.
        let body = try await request.collectBody(limit: boundary == nil ? limit : limit + 64 << 10)
        var bytes = Array(body.readableBytesView)
        if let boundary { bytes = try Multipart.file(in: bytes, boundary: boundary) }
        guard bytes.count <= limit else { throw ServerError.tooLarge("image of \(bytes.count) bytes exceeds the limit of \(limit)") }
        guard !bytes.isEmpty else { throw ServerError.badRequest("empty image") }
        return bytes
    }

    private func reply(_ value: some Encodable, model: String, variant: String) throws -> Response {
        var response = try Response.json(value, variant: variant)
        response.headers[.arcaModel] = model
        return response
    }
}
