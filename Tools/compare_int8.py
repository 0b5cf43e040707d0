"""Int8 MiniLM: Arca's dynamic int8 variant against onnxruntime's quantize_dynamic, accuracy and speed.

    Tools/compare-int8 [--texts N] [--runs N] [--rounds R] [--case BxSxT ...] [--json] [--arca PATH]

Reference: sentence-transformers (fp32) embeddings of held-out texts. The texts are no test's
fixtures: sentences and 5-sentence paragraphs sampled (random.Random(0)) from CPython's own
documentation strings (pydoc_data.topics of the venv's Python), whitespace collapsed.

onnxruntime: the fp32 ONNX export of Tools/compare_text.py (MiniLM + mean pooling + L2), then
onnxruntime.quantization.quantize_dynamic with weight_type=QInt8, per_channel=False ("per-tensor")
and per_channel=True ("per-channel"); the same HF tokenizer (truncation at 256) feeds it.
Arca: `arca embed --variant minilm-l6-int8 --file F --json` (and `--variant minilm-l6` for fp32).
Accuracy: cosine of each embedding to sentence-transformers' fp32 embedding; min and mean.

Speed, same run: ORT fp32 / per-channel int8 / per-tensor int8 (intra-op threads T, sequential)
and `arca bench embed --variant V --batch B --seq S --threads T --json` for fp32 and int8, on
random token ids with a full mask. Default case 32x128 on 2 threads.
"""
import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arca_bench_common import REPO, default_arca_binary, median_ms, ratio, run_arca  # noqa: E402
from compare_text import export_onnx, make_session, parse_case, quiet_transformers, random_inputs  # noqa: E402

INT8 = "minilm-l6-int8"
FP32 = "minilm-l6"


def held_out_texts(n, seed=0):
    import pydoc_data.topics as topics
    text = " ".join(topics.topics[k] for k in sorted(topics.topics))
    text = re.sub(r"\s+", " ", text)
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text)]
    sentences = [s for s in sentences if 20 <= len(s) <= 400 and len(s.split()) >= 4]
    rng = random.Random(seed)
    singles = rng.sample(sentences, (n * 4) // 5)
    paragraphs = []
    for _ in range(n - len(singles)):
        i = rng.randrange(len(sentences) - 5)
        paragraphs.append(" ".join(sentences[i:i + 5]))
    return singles + paragraphs


def cosines(a, b):
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def ort_embed(session, tok, texts, batch=32):
    out = []
    for i in range(0, len(texts), batch):
        enc = tok(texts[i:i + batch], padding=True, truncation=True, max_length=256, return_tensors="np")
        feeds = {k: enc[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")}
        out.append(session.run(["sentence_embedding"], feeds)[0])
    return np.concatenate(out)


def arca_embed(binary, variant, path):
    r = subprocess.run([binary, "embed", "--variant", variant, "--file", path, "--json"],
                       capture_output=True, text=True, timeout=1800)
    if r.returncode != 0:
        raise RuntimeError(f"arca embed --variant {variant}: {r.stderr.strip()[-400:]}")
    return np.array(json.loads(r.stdout)["embeddings"], np.float32)


def median_of(values):
    """The median of the values that are not None; None if none is."""
    v = [x for x in values if x is not None]
    return statistics.median(v) if v else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--texts", type=int, default=300, help="held-out texts (default 300)")
    ap.add_argument("--runs", type=int, default=7, help="timed runs per speed case (default 7)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds, each timing every system (default 3)")
    ap.add_argument("--cases", type=parse_case, nargs="+", default=[(32, 128, 2)], metavar="BxSxT")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--arca", default=None, help="arca binary (default: $ARCA_BIN or .build/release/arca)")
    args = ap.parse_args()

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    model_dir = os.path.join(os.environ.get("ARCA_MODELS") or os.path.join(REPO, ".models"), "all-MiniLM-L6-v2")
    cache = os.environ.get("ARCA_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "arca")
    fp32_path, _ = export_onnx(model_dir, os.path.join(cache, "onnx", "minilm.onnx"), log=log)
    from onnxruntime.quantization import QuantType, quantize_dynamic
    import onnxruntime as ort
    ort_models = {"fp32": fp32_path}
    for name, per_channel in (("int8 per-tensor", False), ("int8 per-channel", True)):
        path = os.path.join(cache, "onnx", f"minilm-int8-{'pc' if per_channel else 'pt'}.onnx")
        if not os.path.isfile(path) or os.path.getmtime(path) < os.path.getmtime(fp32_path):
            log(f"compare-int8: quantize_dynamic per_channel={per_channel} -> {path}")
            quantize_dynamic(fp32_path, path, per_channel=per_channel, weight_type=QuantType.QInt8)
        ort_models[name] = path

    texts = held_out_texts(args.texts)
    from sentence_transformers import SentenceTransformer
    from transformers import AutoTokenizer
    quiet_transformers()
    st = SentenceTransformer(model_dir, device="cpu", local_files_only=True)
    ref = st.encode(texts, convert_to_numpy=True, batch_size=32)
    tok = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)

    accuracy = {}
    for name, path in ort_models.items():
        c = cosines(ort_embed(make_session(path, 2), tok, texts), ref)
        accuracy[f"onnxruntime {name}"] = (float(c.min()), float(c.mean()))
    binary = default_arca_binary(args.arca)
    errors = []
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(texts) + "\n")
        text_file = f.name
    try:
        for variant in (FP32, INT8):
            try:
                c = cosines(arca_embed(binary, variant, text_file), ref)
                accuracy[f"arca {variant}"] = (float(c.min()), float(c.mean()))
            except (RuntimeError, OSError, ValueError, KeyError) as e:
                errors.append(str(e))
    finally:
        os.unlink(text_file)

    speed = []
    for (b, s, t) in args.cases:
        feeds = random_inputs(b, s)
        systems = []
        for name, path in ort_models.items():
            sess = make_session(path, t)
            systems.append((f"onnxruntime {name}",
                            lambda sess=sess: median_ms(lambda: sess.run(["sentence_embedding"], feeds), args.runs, warmup=2, min_warmup_s=0.0)))
        for variant in (FP32, INT8):
            def bench(variant=variant):
                a, err = run_arca(binary, ["bench", "embed", "--variant", variant, "--batch", b, "--seq", s,
                                           "--threads", t, "--runs", args.runs, "--json"])
                if err:
                    errors.append(f"bench {variant}: {err}")
                return float(a["median_ms"]) if a else None
            systems.append((f"arca {variant}", bench))
        # Every round times every system (in a rotated order), so that a slow phase of a noisy
        # host falls on all of them; figures are medians over rounds, ratios medians of per-round ratios.
        rounds = []
        for r in range(args.rounds):
            k = r % len(systems)
            rounds.append({name: fn() for name, fn in systems[k:] + systems[:k]})
        row = {"case": f"{b}x{s} {t}t", "rounds": args.rounds}
        for name, _ in systems:
            row[name] = median_of([x[name] for x in rounds])
        for label, num, den in (("arca int8 / arca fp32 throughput", f"arca {FP32}", f"arca {INT8}"),
                                ("arca int8 / ORT per-channel throughput", "onnxruntime int8 per-channel", f"arca {INT8}"),
                                ("arca int8 / ORT per-tensor throughput", "onnxruntime int8 per-tensor", f"arca {INT8}")):
            row[label] = median_of([ratio(x[num], x[den]) for x in rounds])
        speed.append(row)

    import sentence_transformers
    import torch
    meta = {"onnxruntime": ort.__version__, "torch": torch.__version__,
            "sentence_transformers": sentence_transformers.__version__, "python": platform.python_version(),
            "cpus": os.cpu_count(), "texts": len(texts), "arca": binary}
    if args.json:
        print(json.dumps({"meta": meta, "accuracy": {k: {"min_cosine": v[0], "mean_cosine": v[1]} for k, v in accuracy.items()},
                          "speed_ms": speed, "errors": errors}, indent=2))
        return 1 if errors else 0
    print(f"MiniLM int8 vs fp32 sentence-transformers on {len(texts)} held-out texts "
          f"(onnxruntime {ort.__version__}, torch {torch.__version__}, python {platform.python_version()}, {os.cpu_count()} CPUs)")
    print(f"{'system':<28} {'min cosine':>11} {'mean cosine':>12}")
    for k, (mn, me) in accuracy.items():
        print(f"{k:<28} {mn:>11.5f} {me:>12.5f}")
    for row in speed:
        print(f"\nspeed {row['case']} (median ms over {row['rounds']} rounds; lower is faster)")
        for k, v in row.items():
            if k in ("case", "rounds"):
                continue
            print(f"  {k:<40} {('%.2f' % v) if v is not None else 'missing':>9}")
    for e in errors:
        print("error:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
