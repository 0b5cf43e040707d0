"""Compare Arca's vision models against LiteRT (ai-edge-litert + XNNPACK) on this machine.

    Tools/compare-vision [--runs N] [--threads 1 2] [--models ...] [--json] [--arca PATH] [--litert-only] [--int8 [--rounds R]]

For each MediaPipe model in <repo>/.models/mediapipe (or $ARCA_MODELS/mediapipe):

  LiteRT: ai_edge_litert.interpreter.Interpreter(model_path=..., num_threads=T) with the default
          op resolver (XNNPACK delegate), a seeded random input in the model's range (face models
          [-1, 1], selfie models [0, 1]); median ms of invoke() over N runs after warm-up.
  Arca:   `arca bench model REF --threads T --runs N --json`, which must print a JSON object with
          at least "median_ms" (the last stdout line that parses as a JSON object is used). The
          binary is --arca, $ARCA_BIN, or <repo>/.build/release/arca. If the binary or the command
          is missing or fails, the arca column shows "missing" and the reason is listed under the
          table; the LiteRT side is still measured.

  --int8: also times the static int8 twin (`REF-int8`): R rounds (default 3) of
          `arca bench model REF --versus REF-int8` (both in one process, alternating blocks of
          runs); the ms columns are medians over rounds, the speedup the median of the rounds'
          per-block speedups.

Ratios are arca/LiteRT latency (below 1 = arca faster). Timings on shared machines move 10-40%
between runs; compare ratios from the same run. Run it with the reference venv (Tools/.venv,
created by Tools/setup-reference-env); Tools/compare-vision does that for you.
"""
import argparse
import json
import os
import platform
import statistics
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arca_bench_common import (REPO, default_arca_binary, binary_problem, fmt, median_ms,  # noqa: E402
                               print_errors, ratio, run_arca)

# (file stem, arca reference, input range)
MODELS = [
    ("face_detection_short_range", "face-detection:short-range", (-1.0, 1.0)),
    ("face_detection_full_range_sparse", "face-detection:full-range", (-1.0, 1.0)),
    ("selfie_segmentation", "selfie-segmentation:general", (0.0, 1.0)),
    ("selfie_segmentation_landscape", "selfie-segmentation:landscape", (0.0, 1.0)),
]


def litert_ms(path, lo_hi, threads, runs):
    from ai_edge_litert.interpreter import Interpreter
    it = Interpreter(model_path=path, num_threads=threads)
    it.allocate_tensors()
    inp = it.get_input_details()[0]
    rng = np.random.default_rng(0)
    lo, hi = lo_hi
    x = rng.uniform(lo, hi, size=tuple(inp["shape"])).astype(np.float32)
    it.set_tensor(inp["index"], x)
    ms = median_ms(it.invoke, runs, warmup=5)
    return ms, [int(d) for d in inp["shape"]]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=50, help="timed runs per case (median is reported; default 50)")
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="thread counts (default: 1 2)")
    ap.add_argument("--models", nargs="+", default=None, metavar="NAME",
                    help="subset of models (file stem or arca ref); default: all four")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--arca", default=None, help="arca binary (default: $ARCA_BIN or .build/release/arca)")
    ap.add_argument("--litert-only", action="store_true", help="do not run arca")
    ap.add_argument("--int8", action="store_true", help="also time the static int8 variant of each model")
    ap.add_argument("--rounds", type=int, default=3, help="with --int8: alternating float/int8 rounds (default 3)")
    ap.add_argument("--models-dir", default=None,
                    help="folder with the .tflite files (default: $ARCA_MODELS/mediapipe or <repo>/.models/mediapipe)")
    args = ap.parse_args()
    load0 = os.getloadavg()[0]
    if args.runs < 1:
        ap.error("--runs must be >= 1")

    models_dir = args.models_dir or os.path.join(os.environ.get("ARCA_MODELS") or os.path.join(REPO, ".models"),
                                                 "mediapipe")
    models = MODELS
    if args.models:
        models = [m for m in MODELS if m[0] in args.models or m[1] in args.models]
        unknown = set(args.models) - {m[0] for m in models} - {m[1] for m in models}
        if unknown:
            ap.error(f"unknown model(s) {sorted(unknown)}; known: {[m[0] for m in MODELS]}")
    missing_files = [m[0] for m in models if not os.path.isfile(os.path.join(models_dir, m[0] + ".tflite"))]
    if missing_files:
        print(f"compare-vision: error: missing {', '.join(f + '.tflite' for f in missing_files)} in {models_dir}\n"
              f"  run Tools/fetch-models first.", file=sys.stderr)
        return 2

    binary = None if args.litert_only else default_arca_binary(args.arca)
    if binary and binary_problem(binary) and not args.json:
        print(f"compare-vision: warning: {binary_problem(binary)}; arca columns will show 'missing'",
              file=sys.stderr)

    import ai_edge_litert
    errors = []
    rows = []
    for stem, ref, rng_range in models:
        path = os.path.join(models_dir, stem + ".tflite")
        row = {"model": stem, "ref": ref, "input_range": list(rng_range)}
        for t in args.threads:
            ms, shape = litert_ms(path, rng_range, t, args.runs)
            row["input_shape"] = shape
            row[f"litert_{t}t_ms"] = ms
            # With --int8, float and int8 run in one process in alternating blocks
            # (`bench model REF --versus REF-int8`): the speedup is the median of per-block ratios.
            command = ["bench", "model", ref, "--threads", t, "--runs", args.runs, "--json"]
            if args.int8:
                command += ["--versus", ref + "-int8"]
            floats, int8s, speedups = [], [], []
            for _ in range(args.rounds if args.int8 else 1):
                required = ("median_ms", "versus_median_ms", "speedup_median") if args.int8 else ("median_ms",)
                a, err = (None, None) if binary is None else run_arca(binary, command, required=required)
                if err:
                    row[f"arca_{t}t_error"] = err
                    errors.append(f"{ref} {t}t: {err}")
                elif a:
                    floats.append(float(a["median_ms"]))
                    if args.int8:
                        int8s.append(float(a["versus_median_ms"]))
                        speedups.append(float(a["speedup_median"]))
            row[f"arca_{t}t_ms"] = statistics.median(floats) if floats else None
            row[f"ratio_{t}t"] = ratio(row[f"arca_{t}t_ms"], ms)
            if args.int8:
                row[f"int8_{t}t_ms"] = statistics.median(int8s) if int8s else None
                row[f"int8_speedup_{t}t"] = statistics.median(speedups) if speedups else None
            if not args.json:
                print(".", end="", file=sys.stderr, flush=True)
        rows.append(row)
    if not args.json:
        print(file=sys.stderr)

    if args.json:
        out = {"litert": getattr(ai_edge_litert, "__version__", None) or _dist_version("ai-edge-litert"),
               "numpy": np.__version__, "machine": platform.machine(), "cpus": os.cpu_count(), "loadavg_1m_start": load0,
               "arca": binary, "runs": args.runs, "threads": args.threads, "units": "ms (median)",
               "ratio": "arca_ms / litert_ms", "rows": rows, "errors": errors}
        print(json.dumps(out, indent=2))
        return 0

    missing = "missing" if binary else "-"
    hdr = f"{'model':<32}"
    for t in args.threads:
        hdr += f" {f'LiteRT {t}t':>9} {f'arca {t}t':>9} {f'arca/LRT {t}t':>12}"
        if args.int8:
            hdr += f" {f'int8 {t}t':>9} {f'fp32/int8 {t}t':>14}"
    print(f"LiteRT (ai-edge-litert {_dist_version('ai-edge-litert')}, XNNPACK) vs arca; "
          f"median ms over {args.runs} runs; {os.cpu_count()} CPUs; load avg {load0:.2f} at start")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        line = f"{r['model']:<32}"
        for t in args.threads:
            line += (f" {r[f'litert_{t}t_ms']:>9.2f} {fmt(r[f'arca_{t}t_ms'], '9.2f', missing):>9}"
                     f" {fmt(r[f'ratio_{t}t'], '12.2f'):>12}")
            if args.int8:
                line += f" {fmt(r[f'int8_{t}t_ms'], '9.2f', missing):>9} {fmt(r[f'int8_speedup_{t}t'], '14.2f'):>14}"
        print(line)
    print("(ratio = arca ms / LiteRT ms; < 1 means arca is faster" + ("; fp32/int8 = arca float ms / arca int8 ms)" if args.int8 else ")"))
    print_errors(errors)
    return 0


def _dist_version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
