import CArcaCPU

/// The instruction sets the kernels were compiled for (`-march=native` at build time).
///
/// Each is a compile-time constant: a kernel that branches on it keeps only one path.
/// AVX-512 kernels use 16-lane vectors and the 32 vector registers; the AVX2 paths use
/// 8-lane vectors and 16 registers.
public enum CPU {
    /// AVX-512 F, BW, VL and DQ.
    @inline(__always) public static var avx512: Bool { ARCA_AVX512 != 0 }
    /// AVX-512 VNNI (`vpdpbusd`, u8 x s8 dot products into int32).
    @inline(__always) public static var avx512VNNI: Bool { ARCA_AVX512_VNNI != 0 }
    /// A short name of the kernel set, for benchmark output.
    public static var kernelSet: String { avx512VNNI ? "avx512+vnni" : avx512 ? "avx512" : "avx2" }
}
