/// Model importers: TFLite, safetensors + Hugging Face config, and later ONNX, each to an ArcaIR `Graph`.
public enum ArcaImport {}
