/// A 64-byte aligned, zero-initialised byte buffer shared by tensors.
///
/// Tensors copy it on write; the runtime's arena shares one for many views
/// and writes through it directly, which is why it is a class. A storage either
/// owns its allocation or borrows bytes another object keeps alive (a mapped file).
public final class TensorStorage: @unchecked Sendable {
    public let byteCount: Int
    public let bytes: UnsafeMutableRawPointer
    /// Keeps borrowed bytes alive; nil when the storage owns its allocation.
    public let owner: AnyObject?

    public static let alignment = 64

    public init(byteCount: Int) {
        self.byteCount = byteCount
        owner = nil
        bytes = AlignedAllocation.allocate(byteCount: byteCount, alignment: Self.alignment)
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
    }

    public init(copying source: UnsafeRawBufferPointer) {
        byteCount = source.count
        owner = nil
        bytes = AlignedAllocation.allocate(byteCount: byteCount, alignment: Self.alignment)
        if let base = source.baseAddress, byteCount > 0 {
            bytes.copyMemory(from: base, byteCount: byteCount)
        }
    }

    /// Borrows `byteCount` bytes at `bytes`, which `owner` keeps alive; nil unless `bytes`
    /// is 64-byte aligned (kernels rely on the alignment).
    public init?(borrowing bytes: UnsafeMutableRawPointer, byteCount: Int, owner: AnyObject) {
        guard Int(bitPattern: bytes) % Self.alignment == 0, byteCount >= 0 else { return nil }
        self.bytes = bytes
        self.byteCount = byteCount
        self.owner = owner
    }

    deinit {
        if owner == nil { AlignedAllocation.deallocate(bytes, byteCount: byteCount) }
    }

    public func copy() -> TensorStorage {
        TensorStorage(copying: UnsafeRawBufferPointer(start: bytes, count: byteCount))
    }
}
