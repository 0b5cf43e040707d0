"""Compare Arca's MiniLM sentence embedding against onnxruntime (fp32, CPU EP) on this machine.

    Tools/compare-text [--runs N] [--runs-large N] [--cases BxSxT ...] [--json] [--arca PATH]
                       [--ort-only] [--reexport] [--skip-check]

Reference: all-MiniLM-L6-v2 from the local folder <repo>/.models/all-MiniLM-L6-v2 (or
$ARCA_MODELS/all-MiniLM-L6-v2; loaded with transformers.AutoModel, HF_HUB_OFFLINE=1, never the
hub) wrapped with sentence-transformers' mean pooling over the attention mask and L2
normalization, exported with torch.onnx.export (TorchScript exporter, opset 17; inputs input_ids,
attention_mask, token_type_ids int64 [batch, seq] with dynamic batch/seq; output
sentence_embedding [batch, 384]) to ${ARCA_CACHE:-~/.cache/arca}/onnx/minilm.onnx. The export is
reused while the model files and torch version are unchanged (--reexport forces it).

Before timing, the ONNX output is checked against sentence-transformers' encode() for three
sentences of different lengths in one padded batch (cosine must exceed 0.9999; --skip-check).

onnxruntime: fp32, CPUExecutionProvider, intra_op_num_threads=T, inter_op_num_threads=1,
ORT_SEQUENTIAL, ORT_ENABLE_ALL; random token ids ([CLS] ... [SEP]), full attention mask,
token_type_ids 0; median ms of session.run over the runs after warm-up.

Arca: `arca bench embed --batch B --seq S --threads T --runs N --json`, which must print a JSON
object with at least "median_ms" (and "sentences_per_second"; derived from median_ms when absent).
Binary: --arca, $ARCA_BIN, or <repo>/.build/release/arca. A missing binary or command shows as
"missing" in the table; the onnxruntime side is still measured.

Default cases (batch x seq x threads): 1x16x1, 1x16x2, 32x128x1, 32x128x2. --runs applies to
cases with batch*seq <= 512, --runs-large to the others. Timings on shared machines move 10-40%
between runs; compare ratios from the same run.
"""
import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arca_bench_common import (REPO, binary_problem, default_arca_binary, fmt, median_ms,  # noqa: E402
                               print_errors, ratio, run_arca)

DEFAULT_CASES = [(1, 16, 1), (1, 16, 2), (32, 128, 1), (32, 128, 2)]
OPSET = 17
CHECK_SENTENCES = [
    "Hello world.",
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "Arca runs small vision and text models on the CPU; this sentence is here to make the padded "
    "batch longer than the others, with punctuation, numbers like 3.14159, and UNUSUAL casing.",
]
COSINE_MIN = 0.9999


def parse_case(s):
    try:
        b, sq, t = (int(x) for x in s.lower().replace(",", "x").split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"case must be BATCHxSEQxTHREADS (got {s!r})")
    return (b, sq, t)


def model_fingerprint(model_dir):
    """Cheap identity of the model folder: names, sizes and mtimes of its top-level files."""
    import torch
    h = hashlib.sha256()
    for name in sorted(os.listdir(model_dir)):
        p = os.path.join(model_dir, name)
        if os.path.isfile(p):
            st = os.stat(p)
            h.update(f"{name}\0{st.st_size}\0{int(st.st_mtime)}\n".encode())
    h.update(f"torch={torch.__version__} opset={OPSET} wrapper=meanpool+l2 v1".encode())
    return h.hexdigest()


def quiet_transformers():
    try:
        from transformers.utils import logging as tlog
        tlog.disable_progress_bar()
        tlog.set_verbosity_error()
    except Exception:
        pass


def export_onnx(model_dir, out_path, force=False, log=print):
    """Export MiniLM + mean pooling + L2 normalization to ONNX; returns (path, exported_now)."""
    import torch
    meta_path = out_path + ".json"
    fp = model_fingerprint(model_dir)
    if not force and os.path.isfile(out_path) and os.path.isfile(meta_path):
        try:
            with open(meta_path) as f:
                if json.load(f).get("fingerprint") == fp:
                    return out_path, False
        except (OSError, ValueError):
            pass

    from transformers import AutoModel
    quiet_transformers()

    class SentenceEmbedding(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            h = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                          token_type_ids=token_type_ids).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            pooled = (h * m).sum(dim=1) / m.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    log(f"compare-text: exporting {model_dir} to {out_path} (opset {OPSET}) ...")
    bert = AutoModel.from_pretrained(model_dir, local_files_only=True, attn_implementation="eager")
    bert.eval()
    wrapper = SentenceEmbedding(bert).eval()
    b, s = 2, 16
    ids = torch.randint(1000, 30000, (b, s), dtype=torch.int64)
    mask = torch.ones((b, s), dtype=torch.int64)
    tt = torch.zeros((b, s), dtype=torch.int64)
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    tmp = out_path + ".tmp"
    dyn = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
           "token_type_ids": {0: "batch", 1: "seq"}, "sentence_embedding": {0: "batch"}}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(wrapper, (ids, mask, tt), tmp, dynamo=False, opset_version=OPSET,
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["sentence_embedding"], dynamic_axes=dyn,
                          do_constant_folding=True)
    import onnx
    onnx.checker.check_model(tmp)
    os.replace(tmp, out_path)
    with open(meta_path, "w") as f:
        json.dump({"fingerprint": fp, "model_dir": model_dir, "torch": torch.__version__,
                   "opset": OPSET}, f, indent=2)
    return out_path, True


def make_session(path, threads):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3
    return ort.InferenceSession(path, sess_options=so, providers=["CPUExecutionProvider"])


def random_inputs(batch, seq, seed=0):
    rng = np.random.default_rng(seed)
    ids = rng.integers(1000, 30000, size=(batch, seq), dtype=np.int64)
    ids[:, 0] = 101   # [CLS]
    ids[:, -1] = 102  # [SEP]
    return {"input_ids": ids, "attention_mask": np.ones((batch, seq), np.int64),
            "token_type_ids": np.zeros((batch, seq), np.int64)}


def check_against_sentence_transformers(onnx_path, model_dir):
    """cosine(ORT, sentence-transformers) per sentence of CHECK_SENTENCES (one padded batch)."""
    from sentence_transformers import SentenceTransformer
    from transformers import AutoTokenizer
    quiet_transformers()
    st = SentenceTransformer(model_dir, device="cpu", local_files_only=True)
    ref = st.encode(CHECK_SENTENCES, convert_to_numpy=True, normalize_embeddings=False,
                    batch_size=len(CHECK_SENTENCES)).astype(np.float64)
    tok = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    enc = tok(CHECK_SENTENCES, padding=True, truncation=True, max_length=st.max_seq_length,
              return_tensors="np")
    feeds = {k: enc[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")}
    got = make_session(onnx_path, 1).run(["sentence_embedding"], feeds)[0].astype(np.float64)
    cos = (got * ref).sum(1) / (np.linalg.norm(got, axis=1) * np.linalg.norm(ref, axis=1))
    return {"sentences": len(CHECK_SENTENCES), "tokens": [int(x) for x in enc["attention_mask"].sum(1)],
            "cosine": [float(c) for c in cos], "max_abs_diff": float(np.abs(got - ref).max())}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=30, help="timed runs for small cases (default 30)")
    ap.add_argument("--runs-large", type=int, default=5,
                    help="timed runs for cases with batch*seq > 512 (default 5)")
    ap.add_argument("--cases", type=parse_case, nargs="+", default=DEFAULT_CASES, metavar="BxSxT",
                    help="batch x seq x threads (default: 1x16x1 1x16x2 32x128x1 32x128x2)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--arca", default=None, help="arca binary (default: $ARCA_BIN or .build/release/arca)")
    ap.add_argument("--ort-only", action="store_true", help="do not run arca")
    ap.add_argument("--model-dir", default=None,
                    help="HF folder (default: $ARCA_MODELS/all-MiniLM-L6-v2 or <repo>/.models/all-MiniLM-L6-v2)")
    ap.add_argument("--onnx", default=None,
                    help="ONNX path (default: ${ARCA_CACHE:-~/.cache/arca}/onnx/minilm.onnx)")
    ap.add_argument("--reexport", action="store_true", help="export again even if the cached ONNX is current")
    ap.add_argument("--skip-check", action="store_true", help="skip the sentence-transformers check")
    args = ap.parse_args()
    load0 = os.getloadavg()[0]
    if args.runs < 1 or args.runs_large < 1:
        ap.error("--runs and --runs-large must be >= 1")

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    model_dir = args.model_dir or os.path.join(os.environ.get("ARCA_MODELS") or os.path.join(REPO, ".models"),
                                               "all-MiniLM-L6-v2")
    if not os.path.isfile(os.path.join(model_dir, "model.safetensors")):
        log(f"compare-text: error: no model.safetensors in {model_dir}; run Tools/fetch-models first.")
        return 2
    cache = os.environ.get("ARCA_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "arca")
    onnx_path = args.onnx or os.path.join(cache, "onnx", "minilm.onnx")
    onnx_path, exported = export_onnx(model_dir, onnx_path, force=args.reexport, log=log)

    check = None
    if not args.skip_check:
        check = check_against_sentence_transformers(onnx_path, model_dir)
        if min(check["cosine"]) <= COSINE_MIN:
            log(f"compare-text: error: ONNX export disagrees with sentence-transformers: {check}\n"
                f"  delete {onnx_path} or pass --reexport.")
            return 1

    binary = None if args.ort_only else default_arca_binary(args.arca)
    if binary and binary_problem(binary) and not args.json:
        log(f"compare-text: warning: {binary_problem(binary)}; arca columns will show 'missing'")

    import onnxruntime as ort
    sessions = {}
    rows, errors = [], []
    for (b, s, t) in args.cases:
        runs = args.runs if b * s <= 512 else args.runs_large
        if t not in sessions:
            sessions[t] = make_session(onnx_path, t)
        sess = sessions[t]
        feeds = random_inputs(b, s)
        ort_ms = median_ms(lambda: sess.run(["sentence_embedding"], feeds), runs, warmup=2,
                           min_warmup_s=0.2 if b * s <= 512 else 0.0)
        row = {"batch": b, "seq": s, "threads": t, "runs": runs, "case": f"{b}x{s} {t}t",
               "ort_ms": ort_ms, "ort_sentences_per_second": b / (ort_ms / 1e3)}
        a, err = (None, None) if binary is None else run_arca(
            binary, ["bench", "embed", "--batch", b, "--seq", s, "--threads", t, "--runs", runs, "--json"])
        row["arca_raw"] = a
        row["arca_ms"] = float(a["median_ms"]) if a else None
        row["arca_sentences_per_second"] = (float(a.get("sentences_per_second") or b / (row["arca_ms"] / 1e3))
                                            if a else None)
        if err:
            row["arca_error"] = err
            errors.append(f"{b}x{s} {t}t: {err}")
        row["ratio_latency"] = ratio(row["arca_ms"], ort_ms)
        row["ratio_throughput"] = ratio(row["arca_sentences_per_second"], row["ort_sentences_per_second"])
        rows.append(row)
        if not args.json:
            print(".", end="", file=sys.stderr, flush=True)
    if not args.json:
        print(file=sys.stderr)

    import torch
    if args.json:
        out = {"onnxruntime": ort.__version__, "torch": torch.__version__, "numpy": np.__version__,
               "machine": platform.machine(), "cpus": os.cpu_count(), "loadavg_1m_start": load0, "onnx": onnx_path,
               "exported_now": exported, "check": check, "arca": binary, "units": "ms (median)",
               "ratio_latency": "arca_ms / ort_ms", "ratio_throughput": "arca sent/s / ort sent/s",
               "rows": rows, "errors": errors}
        print(json.dumps(out, indent=2))
        return 0

    missing = "missing" if binary else "-"
    print(f"onnxruntime {ort.__version__} (fp32, CPU EP, sequential, ORT_ENABLE_ALL) vs arca; "
          f"all-MiniLM-L6-v2 + mean pooling + L2; {os.cpu_count()} CPUs; load avg {load0:.2f} at start")
    print(f"ONNX: {onnx_path}{' (exported now)' if exported else ''}")
    if check:
        print(f"check vs sentence-transformers ({check['sentences']} sentences, {check['tokens']} tokens): "
              f"min cosine {min(check['cosine']):.7f}, max |diff| {check['max_abs_diff']:.2e}")
    hdr = (f"{'case (BxS thr)':<16} {'runs':>4} {'ORT ms':>9} {'arca ms':>9} {'arca/ORT ms':>11} "
           f"{'ORT sent/s':>10} {'arca sent/s':>11} {'arca/ORT sent/s':>15}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        print(f"{r['case']:<16} {r['runs']:>4} {r['ort_ms']:>9.2f} {fmt(r['arca_ms'], '9.2f', missing):>9} "
              f"{fmt(r['ratio_latency'], '11.2f'):>11} {r['ort_sentences_per_second']:>10.1f} "
              f"{fmt(r['arca_sentences_per_second'], '11.1f', missing):>11} "
              f"{fmt(r['ratio_throughput'], '15.2f'):>15}")
    print("(median ms; arca/ORT ms < 1 and arca/ORT sent/s > 1 mean arca is faster)")
    print_errors(errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
