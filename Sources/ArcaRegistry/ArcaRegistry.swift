/// The model store: OCI layout, protobuf model configs, zstd weight blobs, digests, push and pull.
public enum ArcaRegistry {}
