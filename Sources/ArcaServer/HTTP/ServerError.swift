import Hummingbird

/// An error answered to the client as `{"error": message}` with `status`.
struct ServerError: Error, CustomStringConvertible {
    var status: HTTPResponse.Status
    var message: String
    /// Seconds for a `Retry-After` header (overload and unavailability).
    var retryAfter: Int?

    var description: String { message }

    static func badRequest(_ m: String) -> ServerError { .init(status: .badRequest, message: m) }
    static func notFound(_ m: String) -> ServerError { .init(status: .notFound, message: m) }
    static func tooLarge(_ m: String) -> ServerError { .init(status: .contentTooLarge, message: m) }
    static func unsupportedMediaType(_ m: String) -> ServerError { .init(status: .unsupportedMediaType, message: m) }
    static func overloaded(_ m: String) -> ServerError { .init(status: .tooManyRequests, message: m, retryAfter: 1) }
    static func unavailable(_ m: String) -> ServerError { .init(status: .serviceUnavailable, message: m, retryAfter: 1) }
    static func timeout(_ m: String) -> ServerError { .init(status: .gatewayTimeout, message: m) }
    static func `internal`(_ m: String) -> ServerError { .init(status: .internalServerError, message: m) }
}

extension ServerError {
    /// The HTTP meaning of any error thrown while serving a request.
    init(_ error: any Error) {
        switch error {
        case let e as ServerError:
            self = e
        case let e as InferenceError:
            switch e {
            case .invalidInput(let m): self = .badRequest(m)
            case .unavailable(let m): self = .unavailable(m)
            case .notFound(let m): self = .notFound(m)
            }
        case let e as HTTPError:
            self.init(status: e.status, message: e.body ?? e.status.reasonPhrase)
        case is CancellationError:
            self = .unavailable("request cancelled")
        default:
            self = .internal("internal error: \(error)")
        }
    }
}
