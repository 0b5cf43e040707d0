import Hummingbird

/// While the provider is starting (``ModelProvider/isStarting``), answers every request but
/// the health, server metadata and metrics routes with 503 and `Retry-After`: the models are
/// not known yet, so no model route can say anything true.
struct StartupGate<Context: RequestContext>: RouterMiddleware {
    let provider: any ModelProvider
    static var open: Set<String> { ["/v2", "/v2/health/live", "/v2/health/ready", "/metrics"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if provider.isStarting, !Self.open.contains(request.uri.path) {
            throw ServerError(status: .serviceUnavailable, message: StartingProvider.startingMessage, retryAfter: 5)
        }
        return try await next(request, context)
    }
}
