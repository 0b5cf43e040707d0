import ArcaIR
import ArcaKernels
import ArcaTensor
import Foundation

/// Errors of building or running a ``Plan``.
public typealias PlanError = EvaluationError

/// A graph lowered for concrete input shapes: one step per node with its kernel
/// chosen and parameters, weights (packed once) and arena pointers precomputed,
/// and one arena allocated at construction whose bytes are shared by values
/// with disjoint lifetimes.
///
/// Thread safety: `run` may be called from any thread, but runs are serialised
/// by a lock (the arena is the plan's single working memory; plans on one
/// ``SharedArena`` share its lock). Build one plan per concurrent stream of requests.
public final class Plan: @unchecked Sendable, CustomStringConvertible {
    /// The graph as planned: verified, sorted, with concrete shapes.
    public let graph: Graph
    /// Bytes of the activation arena (inputs, intermediates, outputs; constants excluded).
    public let arenaBytes: Int
    /// What the arena would need if no buffers shared bytes.
    public let unsharedBytes: Int
    /// Threads each kernel may use (including the caller).
    public var threadCount: Int { pool.threadCount }
    /// One line per step: node, kernel, output shape and arena offset.
    public let stepDescriptions: [String]

    struct Slot {
        var name: String
        var dtype: DType
        var shape: [Int]
        var pointer: UnsafeMutableRawPointer
        var bytes: Int
    }

    let steps: [Step]
    let inputSlots: [Slot]
    let outputSlots: [Slot]
    let arena: TensorStorage
    let pool: ThreadPool
    private let lock: NSLock
    /// Constants and packed weights the steps point into.
    let retained: [AnyObject]
    /// Per-step timings when set (the `ARCA_PROFILE` environment variable turns it on for every plan).
    public var profiler: PlanProfiler? = ProcessInfo.processInfo.environment["ARCA_PROFILE"] != nil ? PlanProfiler() : nil

    /// Plans `graph` for the given input shapes (by input name; needed for inputs declared with -1 dims).
    /// `threads` ≤ 1 runs kernels on the caller only.
    public convenience init(graph: Graph, inputShapes: [String: [Int]]? = nil, threads: Int = 1) throws {
        let pool: ThreadPool = threads <= 1 ? .serial : threads == ThreadPool.shared.threadCount ? .shared : ThreadPool(threadCount: threads)
        try self.init(graph: graph, inputShapes: inputShapes, pool: pool)
    }

    /// Plans `graph`, packing GEMM weights through `weightCache` so plans for other shapes share them.
    /// With `arena`, the plan works in that shared memory (see ``SharedArena``) instead of its own.
    public convenience init(graph: Graph, inputShapes: [String: [Int]]? = nil, pool: ThreadPool, weightCache: PackedWeightCache,
                            arena: SharedArena? = nil) throws {
        try self.init(graph: graph, inputShapes: inputShapes, pool: pool, cache: weightCache, shared: arena)
    }

    /// Plans `graph` with kernels running on `pool`.
    public convenience init(graph: Graph, inputShapes: [String: [Int]]? = nil, pool: ThreadPool) throws {
        try self.init(graph: graph, inputShapes: inputShapes, pool: pool, cache: nil)
    }

    init(graph: Graph, inputShapes: [String: [Int]]?, pool: ThreadPool, cache: PackedWeightCache?, shared: SharedArena? = nil) throws {
        var g = graph
        var shapes: [ValueID: [Int]] = [:]
        for (name, shape) in inputShapes ?? [:] {
            guard let id = g.inputs.first(where: { g.values[$0].name == name }) else { throw PlanError.unknownInput(name) }
            shapes[id] = shape
        }
        try g.inferShapes(inputShapes: shapes)
        for (i, v) in g.values.enumerated() where v.shape.contains(where: { $0 < 0 }) {
            if g.inputs.contains(i) || g.nodes.contains(where: { $0.outputs.contains(i) }) {
                throw PlanError.unresolvedShape(value: v.name, shape: v.shape)
            }
        }
        self.pool = pool

        var aliasOf: [ValueID: ValueID] = [:]
        for node in g.nodes {
            if case .reshape = node.op, g.constants[node.inputs[0]] == nil { aliasOf[node.outputs[0]] = node.inputs[0] }
        }
        func bytes(_ id: ValueID) -> Int { g.values[id].shape.reduce(1, *) * g.values[id].dtype.byteSize }
        let layout = ArenaLayout(graph: g, aliasOf: aliasOf, bytes: bytes)
        arena = shared?.storage(atLeast: layout.totalBytes) ?? TensorStorage(byteCount: layout.totalBytes)
        lock = shared?.runLock ?? NSLock()
        arenaBytes = layout.totalBytes
        unsharedBytes = layout.unsharedBytes

        var retained: [AnyObject] = []
        var constantPointers: [ValueID: UnsafeMutableRawPointer] = [:]
        for (id, t) in g.constants {
            let c = t.contiguous()
            retained.append(c.storage)
            constantPointers[id] = c.storage.bytes + c.offset * c.dtype.byteSize
        }
        let base = arena.bytes
        func pointer(_ id: ValueID) -> UnsafeMutableRawPointer {
            if let p = constantPointers[id] { return p }
            return base + (layout.offsets[id] ?? 0)
        }
        var ctx = LoweringContext(graph: g, pool: pool, pointer: pointer, aliasOf: aliasOf)
        ctx.weightCache = cache
        var steps: [Step] = []
        var descriptions: [String] = []
        for (i, node) in g.nodes.enumerated() {
            let step = try ctx.lower(node, index: i)
            steps.append(step)
            let out = node.outputs[0]
            let place = layout.offsets[out].map { "arena+\($0)" } ?? "constant"
            descriptions.append("[\(i)] \(node.name.isEmpty ? node.op.name : node.name): \(step.kernel) → \(g.values[out].shape) @\(place)")
        }
        retained += ctx.retained
        self.steps = steps
        self.retained = retained
        stepDescriptions = descriptions
        inputSlots = g.inputs.map { Slot(name: g.values[$0].name, dtype: g.values[$0].dtype, shape: g.values[$0].shape, pointer: pointer($0), bytes: bytes($0)) }
        outputSlots = g.outputs.indices.map { i in
            let id = g.outputs[i]
            return Slot(name: outputName(g, i), dtype: g.values[id].dtype, shape: g.values[id].shape, pointer: pointer(id), bytes: bytes(id))
        }
        self.graph = g
    }

    /// Runs the plan. Inputs must be exactly the graph inputs, by name, with the planned dtypes and shapes.
    /// Returns each graph output by value name (fresh tensors, not views of the arena).
    public func run(inputs: [String: Tensor]) throws -> [String: Tensor] {
        for name in inputs.keys where !inputSlots.contains(where: { $0.name == name }) { throw PlanError.unknownInput(name) }
        for slot in inputSlots {
            guard let t = inputs[slot.name] else { throw PlanError.missingInput(slot.name) }
            guard t.dtype == slot.dtype else { throw PlanError.inputDTypeMismatch(input: slot.name, expected: slot.dtype, got: t.dtype) }
            guard t.shape.dims == slot.shape else { throw PlanError.inputShapeMismatch(input: slot.name, expected: slot.shape, got: t.shape.dims) }
        }
        lock.lock()
        defer { lock.unlock() }
        for slot in inputSlots {
            guard let t = inputs[slot.name] else { continue }
            t.withUnsafeBytes { if let b = $0.baseAddress { slot.pointer.copyMemory(from: b, byteCount: slot.bytes) } }
        }
        if let profile = profiler {
            for (i, step) in steps.enumerated() {
                let t0 = DispatchTime.now().uptimeNanoseconds
                try step.run()
                profile.add(step: i, kernel: profile.bySteps ? stepDescriptions[i] : step.kernel, nanoseconds: DispatchTime.now().uptimeNanoseconds - t0)
            }
        } else {
            for step in steps { try step.run() }
        }
        var result: [String: Tensor] = [:]
        for slot in outputSlots {
            let t = Tensor(zeros: Shape(slot.shape), dtype: slot.dtype)
            t.storage.bytes.copyMemory(from: slot.pointer, byteCount: slot.bytes)
            result[slot.name] = t
        }
        return result
    }

    /// Whether this plan works in `shared`'s current storage (false once the arena has grown
    /// for a larger plan, or when the plan has an arena of its own).
    public func isCurrent(on shared: SharedArena) -> Bool { shared.isCurrent(arena) }

    public var description: String {
        "Plan: \(steps.count) steps, arena \(arenaBytes) bytes (unshared \(unsharedBytes)), \(threadCount) threads\n"
            + stepDescriptions.joined(separator: "\n")
    }
}

/// One lowered node: the kernel's name (for descriptions) and a closure holding
/// its parameters and pointers, built once at plan time.
struct Step {
    var kernel: String
    var run: () throws -> Void
}

/// Accumulated time per kernel kind: where a model's time goes.
public final class PlanProfiler: @unchecked Sendable {
    private var byKernel: [String: (calls: Int, nanoseconds: UInt64)] = [:]
    private let lock = NSLock()

    /// Report each step separately (`ARCA_PROFILE=steps`) instead of by kernel kind.
    public let bySteps = ProcessInfo.processInfo.environment["ARCA_PROFILE"] == "steps"

    public init() {}

    func add(step: Int, kernel: String, nanoseconds: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        let old = byKernel[kernel] ?? (0, 0)
        byKernel[kernel] = (old.calls + 1, old.nanoseconds + nanoseconds)
    }

    /// Kernels by total time, largest first: (kernel, calls, milliseconds).
    public var report: [(kernel: String, calls: Int, milliseconds: Double)] {
        lock.lock()
        defer { lock.unlock() }
        return byKernel.map { ($0.key, $0.value.calls, Double($0.value.nanoseconds) / 1e6) }.sorted { $0.milliseconds > $1.milliseconds }
    }

    deinit {
        let rows = report
        guard !rows.isEmpty else { return }
        var text = "ARCA_PROFILE: time by kernel\n"
        for r in rows { text += String(format: "%10.2f ms %6d calls  %@\n", r.milliseconds, r.calls, r.kernel) }
        FileHandle.standardError.write(Data(text.utf8))
    }
}
