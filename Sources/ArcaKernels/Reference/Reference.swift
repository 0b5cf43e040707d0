/// Naive twins of every fast kernel: the executable specification.
///
/// Each twin takes the same arguments as its kernel, loops in the plainest
/// order and accumulates in `Double`. Tests compare kernels to these on
/// random shapes, each against the tolerance the kernel declares.
public enum Reference {}
