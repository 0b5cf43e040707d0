/// Task pipelines: image decoding and pre/post-processing, tokenization, pooling and text tasks.
public enum ArcaTasks {}
