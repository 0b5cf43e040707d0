/// Groups texts of similar token length, so that a batched call pads each group only to its
/// own longest text instead of padding every text to the longest of the whole batch.
public enum LengthBuckets {
    /// Indices of `lengths` grouped by `ceil(length / granule)` (the padded length a group runs
    /// at), shortest group first; each index appears exactly once, in input order within its group.
    public static func groups(lengths: [Int], granule: Int = 8) -> [[Int]] {
        let g = max(1, granule)
        var byPadded: [Int: [Int]] = [:]
        for (i, n) in lengths.enumerated() {
            byPadded[(max(0, n) + g - 1) / g, default: []].append(i)
        }
        return byPadded.keys.sorted().compactMap { byPadded[$0] }
    }
}
