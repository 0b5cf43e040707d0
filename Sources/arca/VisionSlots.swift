import ArcaKernels
import ArcaRuntime
import ArcaTasks
import Foundation

/// The working memory of `arca serve`'s vision models: one ``SharedArena`` per server worker,
/// shared by every vision variant, instead of one arena per variant.
///
/// At most `workers` model calls run at once, so a call takes a free slot, runs the plan of
/// its variant built on that slot's arena, and gives the slot back. Memory is `workers` times
/// the largest variant's arena (with slack from growth: two arenas of about 4 MB with two
/// workers) instead of the sum over all variants (16 MB for the eight); two calls of one
/// variant no longer wait for each other's plan.
final class VisionSlots: @unchecked Sendable {
    let arenas: [SharedArena]
    private let condition = NSCondition()
    private var free: [Int]

    init(count: Int) {
        arenas = (0..<max(1, count)).map { _ in SharedArena() }
        free = Array(arenas.indices.reversed())
    }

    /// Runs `body` with a free slot's index, waiting for one if every slot is taken.
    func withSlot<T>(_ body: (Int) throws -> T) rethrows -> T {
        condition.lock()
        while free.isEmpty { condition.wait() }
        let slot = free.removeLast()
        condition.unlock()
        defer {
            condition.lock()
            free.append(slot)
            condition.signal()
            condition.unlock()
        }
        return try body(slot)
    }
}

/// A vision model that can be planned again on another arena from its own planned graph (so
/// the plans share constants, and through the weight cache, packings).
protocol SlottedVisionModel: AnyObject {
    var plan: Plan { get }
    func replanned(pool: ThreadPool, arena: SharedArena, weightCache: PackedWeightCache) throws -> Self
}

extension FaceDetectorModel: SlottedVisionModel {
    func replanned(pool: ThreadPool, arena: SharedArena, weightCache: PackedWeightCache) throws -> FaceDetectorModel {
        try FaceDetectorModel(graph: plan.graph, config: config, pool: pool, arena: arena, weightCache: weightCache, optimized: true)
    }
}

extension SegmenterModel: SlottedVisionModel {
    func replanned(pool: ThreadPool, arena: SharedArena, weightCache: PackedWeightCache) throws -> SegmenterModel {
        try SegmenterModel(graph: plan.graph, config: config, pool: pool, arena: arena, weightCache: weightCache, optimized: true)
    }
}

/// Every variant of one vision model, planned once per slot of a ``VisionSlots``, with one
/// weight cache per variant (its weights are packed once however many slots there are).
final class SlottedModels<Model: SlottedVisionModel>: @unchecked Sendable {
    /// Written only while loading (`init`, ``replanStale()``), before any request.
    private var models: [String: [Model]] = [:]
    private var caches: [String: PackedWeightCache] = [:]
    private let slots: VisionSlots
    private let pool: ThreadPool

    /// `load` builds a variant's model on the given arena and cache.
    init(variants: [String], slots: VisionSlots, pool: ThreadPool,
         load: (String, SharedArena, PackedWeightCache) throws -> Model) throws {
        self.slots = slots
        self.pool = pool
        for v in variants {
            let cache = PackedWeightCache()
            let first = try load(v, slots.arenas[0], cache)
            var row = [first]
            for arena in slots.arenas.dropFirst() { row.append(try first.replanned(pool: pool, arena: arena, weightCache: cache)) }
            models[v] = row
            caches[v] = cache
        }
    }

    /// Plans again every model planned before its arena grew for a larger variant, so that
    /// no plan keeps an arena's older, smaller storage alive. Call once after every model
    /// sharing the slots is loaded.
    func replanStale() throws {
        for (v, row) in models {
            guard let cache = caches[v] else { continue }
            var fresh = row
            for (i, m) in row.enumerated() where !m.plan.isCurrent(on: slots.arenas[i]) {
                fresh[i] = try m.replanned(pool: pool, arena: slots.arenas[i], weightCache: cache)
            }
            models[v] = fresh
        }
    }

    /// Runs `body` once on every slot's model of every variant (warm-up, while loading).
    func forEachPlanned(_ body: (Model) throws -> Void) throws {
        for row in models.values { for m in row { try body(m) } }
    }

    /// Runs `body` with the variant's model on a free slot; nil for an unknown variant.
    func run<T>(_ variant: String, _ body: (Model) throws -> T) throws -> T? {
        guard let row = models[variant] else { return nil }
        return try slots.withSlot { try body(row[$0]) }
    }
}
