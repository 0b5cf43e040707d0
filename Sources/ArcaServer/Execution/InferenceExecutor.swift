import Foundation

/// Runs blocking model calls on the ``WorkerPool`` and suspends the calling task until they
/// finish, time out, or the request is cancelled.
struct InferenceExecutor: Sendable {
    let pool: WorkerPool
    let timeout: Duration

    /// The value of a model call with its queue wait and compute time.
    struct Timed<T: Sendable>: Sendable {
        var value: T
        var queueTime: Duration
        var computeTime: Duration
    }

    /// Runs `work` for `model`; throws 429 when its queue is full and 504 past the timeout.
    ///
    /// A call that times out while queued is skipped; one that times out while running
    /// finishes on its worker and its result is dropped.
    func run<T: Sendable>(model: String, _ work: @escaping @Sendable () throws -> T) async throws -> Timed<T> {
        let once = Once<Timed<T>>()
        let timeout = self.timeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Timed<T>, any Error>) in
                once.install(continuation)
                let enqueued = ContinuousClock.now
                let admitted = pool.enqueue(model: model) { start in
                    guard !once.isDone else { return }
                    let result = Result { try work() }
                    let end = ContinuousClock.now
                    once.resume(with: result.map { Timed(value: $0, queueTime: start - enqueued, computeTime: end - start) })
                }
                guard admitted else {
                    once.resume(with: .failure(ServerError.overloaded("queue for model '\(model)' is full")))
                    return
                }
                once.setTimer(Task {
                    try? await Task.sleep(for: timeout)
                    if !Task.isCancelled {
                        once.resume(with: .failure(ServerError.timeout("model '\(model)' did not answer within \(timeout)")))
                    }
                })
            }
        } onCancel: {
            once.resume(with: .failure(CancellationError()))
        }
    }
}

/// A continuation resumed exactly once, by whichever of result, timeout or cancellation comes first.
private final class Once<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var pending: Result<T, any Error>?
    private var timer: Task<Void, Never>?
    private var done = false

    var isDone: Bool { lock.withLock { done } }

    func install(_ c: CheckedContinuation<T, any Error>) {
        lock.lock()
        if let pending {
            lock.unlock()
            c.resume(with: pending)
            return
        }
        continuation = c
        lock.unlock()
    }

    func setTimer(_ t: Task<Void, Never>) {
        lock.lock()
        if done {
            lock.unlock()
            t.cancel()
            return
        }
        timer = t
        lock.unlock()
    }

    func resume(with result: Result<T, any Error>) {
        lock.lock()
        guard !done else { lock.unlock(); return }
        done = true
        let c = continuation
        continuation = nil
        if c == nil { pending = result }
        let t = timer
        timer = nil
        lock.unlock()
        t?.cancel()
        c?.resume(with: result)
    }
}
