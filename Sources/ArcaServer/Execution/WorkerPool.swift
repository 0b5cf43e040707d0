import Foundation

/// A fixed set of threads running blocking model calls, fed by one FIFO queue with a bound
/// per model key. Event loops never run model code: they enqueue and suspend.
///
/// Admission is immediate: a job for a model whose queue holds `maxQueue` jobs is refused at
/// once (the caller answers 429), never dropped later.
final class WorkerPool: @unchecked Sendable {
    private struct Job {
        let model: String
        let enqueued: ContinuousClock.Instant
        let run: @Sendable (ContinuousClock.Instant) -> Void
    }

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [Job] = []
    private var head = 0
    private var load: [String: ModelLoad] = [:]
    private var stopping = false
    private var running = 0

    let maxQueue: Int
    let threadCount: Int

    init(threads: Int, maxQueue: Int) {
        self.threadCount = max(1, threads)
        self.maxQueue = max(1, maxQueue)
        for i in 0..<threadCount {
            let thread = Thread { [self] in self.workLoop() }
            thread.name = "arca-worker-\(i)"
            thread.stackSize = 8 << 20
            running += 1
            thread.start()
        }
    }

    /// Current queue depth, in-flight count and recent latency of one model.
    func signals(model: String) -> LoadSignals {
        condition.lock()
        defer { condition.unlock() }
        let l = load[model] ?? ModelLoad()
        return LoadSignals(queueDepth: l.queued, inFlight: l.inFlight, recentLatency: l.latencySeconds)
    }

    /// Queued jobs over all models.
    var totalQueued: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count - head
    }

    /// Enqueues `run`, called on a worker with the instant it started; false if the model's queue is full or the pool stops.
    func enqueue(model: String, _ run: @escaping @Sendable (ContinuousClock.Instant) -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping, (load[model]?.queued ?? 0) < maxQueue else { return false }
        jobs.append(Job(model: model, enqueued: .now, run: run))
        load[model, default: ModelLoad()].queued += 1
        condition.signal()
        return true
    }

    /// Stops taking jobs, lets the workers finish the queued ones, and waits for them.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    private func workLoop() {
        condition.lock()
        while true {
            while head == jobs.count && !stopping { condition.wait() }
            if head == jobs.count {
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head > 64 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            load[job.model, default: ModelLoad()].queued -= 1
            load[job.model, default: ModelLoad()].inFlight += 1
            condition.unlock()

            let start = ContinuousClock.now
            job.run(start)
            let seconds = (ContinuousClock.now - start).seconds

            condition.lock()
            load[job.model, default: ModelLoad()].finished(seconds: seconds)
        }
    }
}

private struct ModelLoad {
    var queued = 0
    var inFlight = 0
    var latencySeconds = 0.0

    mutating func finished(seconds: Double) {
        inFlight -= 1
        latencySeconds = latencySeconds == 0 ? seconds : 0.8 * latencySeconds + 0.2 * seconds
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
