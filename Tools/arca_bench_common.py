"""Helpers shared by Tools/compare_vision.py and Tools/compare_text.py (not a command)."""
import json
import os
import shlex
import statistics
import subprocess
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def default_arca_binary(explicit=None):
    return explicit or os.environ.get("ARCA_BIN") or os.path.join(REPO, ".build", "release", "arca")


def binary_problem(binary):
    """None when `binary` is an executable file, else a one-line explanation."""
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        return (f"arca binary not found or not executable: {binary} "
                f"(build with `swift build -c release`, or set ARCA_BIN / --arca)")
    return None


def parse_json_object(stdout):
    """The whole stdout as a JSON object, else the last line of stdout that parses as one."""
    try:
        obj = json.loads(stdout)
        if isinstance(obj, dict):
            return obj
    except ValueError:
        pass
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                return obj
    return None


def run_arca(binary, args, required=("median_ms",), timeout=900):
    """Run `arca ARGS`; returns (dict, None) on success or (None, short error string).

    Never raises: a missing binary, a missing subcommand, a non-zero exit, a timeout or output
    without the required keys all come back as an error string for the table.
    """
    cmd = [binary] + [str(a) for a in args]
    pretty = " ".join(shlex.quote(c) for c in cmd)
    if binary is None:
        return None, "arca not run"
    problem = binary_problem(binary)
    if problem:
        return None, problem
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"{pretty}: timed out after {timeout} s"
    except OSError as e:
        return None, f"{pretty}: {e}"
    if r.returncode != 0:
        msg = (r.stderr.strip() or r.stdout.strip()).splitlines()
        first = msg[0] if msg else ""
        return None, f"{pretty} exited {r.returncode}: {first[:200]}"
    obj = parse_json_object(r.stdout)
    if obj is None or any(k not in obj for k in required):
        return None, f"{pretty}: no JSON object with {list(required)} in stdout: {r.stdout.strip()[-200:]!r}"
    return obj, None


def median_ms(fn, runs, warmup=3, min_warmup_s=0.2):
    """Median wall time of fn() in ms over `runs` calls, after `warmup` calls (and at least
    min_warmup_s seconds of warm-up, so thread pools and caches are settled)."""
    t_end = time.perf_counter() + min_warmup_s
    n = 0
    while n < warmup or time.perf_counter() < t_end:
        fn()
        n += 1
        if n > 1000:
            break
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(samples)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt(x, spec, missing="-"):
    return format(x, spec) if x is not None else missing


def print_errors(errors, limit=3):
    """Print why arca cells are missing: the first `limit` in full, then a count."""
    if not errors:
        return
    print(f"arca missing in {len(errors)} case(s):")
    for e in errors[:limit]:
        print(f"  {e}")
    if len(errors) > limit:
        print(f"  ... and {len(errors) - limit} more (see --json for each)")
