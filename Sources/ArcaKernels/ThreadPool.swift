#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CArcaCPU
import Synchronization

/// A fixed pool of worker threads for data-parallel kernels.
///
/// `parallelFor(count:)` runs `count` tasks; the calling thread takes part,
/// so a pool of `threadCount` uses `threadCount - 1` workers. Tasks are
/// claimed from a shared counter, which balances unequal tasks. Workers spin
/// briefly between jobs (kernels of one model run back to back), then sleep.
public final class ThreadPool: @unchecked Sendable {
    /// Threads that run tasks, including the caller.
    public let threadCount: Int

    private final class Job: @unchecked Sendable {
        let count: Int
        /// Cleared by the caller once every task is done, so no stale worker keeps the closure alive.
        var body: ((Int) -> Void)?
        let next = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        init(count: Int, body: @escaping (Int) -> Void) {
            self.count = count
            self.body = body
        }

        /// Runs tasks until none are left.
        func work() {
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= count { return }
                body?(i)
                done.wrappingAdd(1, ordering: .releasing)
            }
        }
    }

    private var mutex = pthread_mutex_t()
    private var cond = pthread_cond_t()
    private var current: Job?
    private var stopping = false
    private let generation = Atomic<Int>(0)
    private var threads: [pthread_t] = []
    private let busy = Mutex<Void>(())

    /// A process-wide pool sized to the machine's cores.
    public static let shared = ThreadPool(threadCount: ThreadPool.availableCores)

    /// A one-thread pool: tasks run inline on the caller.
    public static let serial = ThreadPool(threadCount: 1)

    public static var availableCores: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    public init(threadCount: Int) {
        self.threadCount = max(1, threadCount)
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&cond, nil)
        for _ in 1..<self.threadCount {
            let box = Unmanaged.passRetained(self)
            var tid = pthread_t()
            let rc = pthread_create(&tid, nil, { raw in
                #if canImport(Darwin)
                let pool = Unmanaged<ThreadPool>.fromOpaque(raw).takeRetainedValue()
                #else
                let pool = Unmanaged<ThreadPool>.fromOpaque(raw!).takeRetainedValue()
                #endif
                pool.workerLoop()
                return nil
            }, box.toOpaque())
            if rc == 0 { threads.append(tid) } else { box.release() }
        }
    }

    deinit {
        pthread_mutex_destroy(&mutex)
        pthread_cond_destroy(&cond)
    }

    /// Stops the workers; the pool then runs tasks on the caller only.
    public func shutdown() {
        pthread_mutex_lock(&mutex)
        stopping = true
        generation.wrappingAdd(1, ordering: .releasing)
        pthread_cond_broadcast(&cond)
        pthread_mutex_unlock(&mutex)
        for t in threads { pthread_join(t, nil) }
        threads.removeAll()
    }

    /// Runs `body(i)` for every `i` in `0..<count` and returns when all are done.
    /// Every thread that runs kernels has flush-to-zero and denormals-are-zero set.
    /// Calls from several threads at once are serialised.
    public func parallelFor(count: Int, _ body: (Int) -> Void) {
        if count <= 0 { return }
        arca_disable_denormals()
        if count == 1 || threads.isEmpty {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            busy.withLock { _ in
                let job = Job(count: count, body: body)
                pthread_mutex_lock(&mutex)
                current = job
                generation.wrappingAdd(1, ordering: .releasing)
                pthread_cond_broadcast(&cond)
                pthread_mutex_unlock(&mutex)
                job.work()
                while job.done.load(ordering: .acquiring) < count {}
                job.body = nil
                pthread_mutex_lock(&mutex)
                current = nil
                pthread_mutex_unlock(&mutex)
            }
        }
    }

    private func workerLoop() {
        arca_disable_denormals()
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen && spins < 200_000 {
                spins += 1
            }
            pthread_mutex_lock(&mutex)
            while generation.load(ordering: .acquiring) == seen && !stopping {
                pthread_cond_wait(&cond, &mutex)
            }
            seen = generation.load(ordering: .acquiring)
            let job = current
            let stop = stopping
            pthread_mutex_unlock(&mutex)
            if stop { return }
            job?.work()
        }
    }
}
