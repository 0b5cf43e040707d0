/// A 64-byte aligned, zero-initialised byte buffer shared by tensors.
///
/// Tensors copy it on write; the runtime's arena shares one for many views
/// and writes through it directly, which is why it is a class.
public final class TensorStorage: @unchecked Sendable {
    public let byteCount: Int
    public let bytes: UnsafeMutableRawPointer

    public static let alignment = 64

    public init(byteCount: Int) {
        self.byteCount = byteCount
        bytes = AlignedAllocation.allocate(byteCount: byteCount, alignment: Self.alignment)
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
    }

    public init(copying source: UnsafeRawBufferPointer) {
        byteCount = source.count
        bytes = AlignedAllocation.allocate(byteCount: byteCount, alignment: Self.alignment)
        if let base = source.baseAddress, byteCount > 0 {
            bytes.copyMemory(from: base, byteCount: byteCount)
        }
    }

    deinit { AlignedAllocation.deallocate(bytes, byteCount: byteCount) }

    public func copy() -> TensorStorage {
        TensorStorage(copying: UnsafeRawBufferPointer(start: bytes, count: byteCount))
    }
}
