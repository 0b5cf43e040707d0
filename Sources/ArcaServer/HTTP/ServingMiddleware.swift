import Foundation
import Hummingbird
import Logging

/// Wraps every route: gives the request an id, turns any error into `{"error": "..."}` with its
/// status (and `Retry-After` on overload), counts the request in the metrics and logs one line.
struct ServingMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics
    /// Whether a model name from a URL is served; other names are labelled `unknown` so that
    /// clients cannot grow the metric label sets.
    let isServed: @Sendable (String) -> Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let requestID = request.headers[.requestID] ?? Self.newID()
        var response: Response
        var errorMessage: String?
        do {
            response = try await next(request, context)
        } catch {
            var e = ServerError(error)
            // The router's own 404 (no route matched) carries no message.
            if let h = error as? HTTPError, h.status == .notFound, h.body == nil {
                e.message = "no route for \(request.method.rawValue) \(request.uri.path)"
            }
            errorMessage = e.message
            response = Self.errorResponse(e)
        }
        response.headers[.requestID] = requestID

        let route = context.endpointPath ?? "unmatched"
        let model = context.parameters.get("model").map { isServed($0) ? $0 : "unknown" } ?? response.headers[.arcaModel] ?? "-"
        let variant = response.headers[.arcaVariant] ?? "-"
        let status = response.status.code
        metrics.request(route: route, model: model, variant: variant, failed: status >= 400)

        var logger = context.logger
        logger[metadataKey: "request_id"] = .string(requestID)
        let metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue), "route": .string(route), "model": .string(model),
            "variant": .string(variant), "status": .stringConvertible(status),
            "duration_ms": .stringConvertible(((ContinuousClock.now - start).seconds * 1e5).rounded() / 100),
        ]
        if let errorMessage, status == 500 {
            logger.error("request failed: \(errorMessage)", metadata: metadata)
        } else {
            logger.info("request", metadata: errorMessage.map { metadata.merging(["error": .string($0)]) { $1 } } ?? metadata)
        }
        return response
    }

    static func errorResponse(_ error: ServerError) -> Response {
        let body = (try? JSONBody.encoder.encode(["error": error.message])) ?? Data("{\"error\":\"error\"}".utf8)
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retry = error.retryAfter { headers[.retryAfter] = String(retry) }
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private static func newID() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }
}

extension HTTPFieldName {
    static let arcaModel = HTTPFieldName("Arca-Model")!
}
