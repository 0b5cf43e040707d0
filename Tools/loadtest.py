"""Load test: `arca serve` against a Python peer (Tools/loadtest_peer.py) serving the same models.

    Tools/loadtest [--duration 20] [--connections 4 32] [--only arca|peer] [--json PATH] [--store DIR]

Run through Tools/loadtest, which builds release arca and holds /tmp/arca-build.lock for the whole
measurement. The servers run one at a time on the same machine, each with two compute threads:
arca `serve --threads 2` (two workers; vision calls single-threaded, batched text calls one at a
time with 2 kernel threads) and the peer with one
uvicorn worker and onnxruntime intra_op_num_threads=2. For each server: seconds from process start
to its health route answering 200 (arca: /v2/health/ready, after every zoo variant is loaded and
warmed up; peer: /health, after its two models are loaded and warmed up), then wrk (2 threads,
--latency, Tools/loadtest.lua) for each route at each connection count, after a short unrecorded
warm-up. Routes: embeddings (OpenAI-style /v1/embeddings, 64 bodies of 1-8 sentences sent in turn)
and faces (/v1/faces with Tests/Fixtures/images/astronaut.jpg; arca ?variant=full-range, the peer
MediaPipe model_selection=1). Resident memory: VmRSS summed over the server's process tree,
sampled every 50 ms: idle (at ready), the peak under load (from ready to the end: the start-up
peak is not load), the peak while starting, VmHWM of the main process at the end, and its
anonymous and file-backed parts after the load (arca maps MiniLM's packed weights from the
store's serving cache: file-backed pages, only those touched resident). arca starts twice: first
with its serving cache emptied (it packs MiniLM and writes the cache; ready time and VmHWM
reported), then the measured start, which maps it.
"""
import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tools"))
PHOTO = os.path.join(ROOT, "Tests/Fixtures/images/astronaut.jpg")
WORDS = ("the a small large quiet busy old new red green city river market garden station library morning evening "
         "train bridge coffee music story child teacher doctor engineer storm window road mountain harbor "
         "walks opens closes sings builds reads finds carries watches crosses repairs paints slowly quickly "
         "today yesterday near under across behind before after because while although").split()


def sentences_bodies(n=64, seed=7):
    """n OpenAI embedding bodies of 1-8 sentences of 6-28 words each, deterministic."""
    rng = random.Random(seed)
    bodies = []
    for _ in range(n):
        texts = []
        for _ in range(rng.randint(1, 8)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(6, 28))]
            texts.append(" ".join(words).capitalize() + ".")
        bodies.append(json.dumps({"input": texts, "model": "text-embedding"}))
    return bodies


def get(url, timeout=2):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except Exception:  # noqa: BLE001  (not up yet)
        return None


def post(url, body, ctype):
    req = urllib.request.Request(url, data=body, headers={"Content-Type": ctype}, method="POST")
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, json.loads(r.read())


def tree_pids(root_pid):
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [root_pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """Peak of VmRSS summed over a process tree, sampled every 50 ms."""

    def __init__(self):
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.hwm_kb, self.stop = None, 0, 0, threading.Event()
        self.startup_peak_kb = None

    def follow(self, proc):
        """Starts sampling `proc`'s tree."""
        self.pid = proc.pid
        self.start()

    def run(self):
        tick = 0
        pids = tree_pids(self.pid)
        while not self.stop.is_set():
            if tick % 20 == 0:
                pids = tree_pids(self.pid)
            self.peak_kb = max(self.peak_kb, sum(status_kb(p, "VmRSS") for p in pids))
            self.hwm_kb = max(self.hwm_kb, status_kb(self.pid, "VmHWM"))
            tick += 1
            self.stop.wait(0.05)

    def end_startup(self):
        """The peak so far was start-up (loading); from now on peak_kb is the peak under load."""
        self.startup_peak_kb = self.peak_kb
        self.peak_kb = 0

    def current_kb(self):
        return sum(status_kb(p, "VmRSS") for p in tree_pids(self.pid))


def wrk(url, connections, duration, env, threads=2):
    cmd = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "30s",
           "-s", os.path.join(ROOT, "Tools/loadtest.lua"), url]
    out = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True, timeout=duration + 120)
    m = re.search(r"^LOADTEST (\{.*\})$", out.stdout, re.M)
    if out.returncode != 0 or not m:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout[-800:]} {out.stderr[-800:]}")
    r = json.loads(m.group(1))
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["errors"] = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"] + r["non_2xx"]
    return r


def start_server(name, cmd, env, url, log, on_start=lambda proc: None):
    """Starts a server (calling `on_start` with its process at once) and waits for `url` to
    answer 200; returns the process and the seconds to ready. Stops it if it never gets ready."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    try:
        on_start(proc)
        while get(url, timeout=1) != 200:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode} before it was ready (log: {log.name})")
            if time.monotonic() - start > 300:
                raise RuntimeError(f"{name} not ready within 300 s")
            time.sleep(0.005)
    except BaseException:
        stop_server(proc)
        raise
    return proc, time.monotonic() - start


def stop_server(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def first_start(name, cmd, env, port, health, log):
    """Starts a server, times readiness and its start-up peak (VmHWM at ready), stops it."""
    proc, ready_s = start_server(name, cmd, env, f"http://127.0.0.1:{port}{health}", log)
    try:
        return {"ready_s": ready_s, "vmhwm_mb": status_kb(proc.pid, "VmHWM") / 1024}
    finally:
        stop_server(proc)


def measure(name, cmd, env, port, health, routes, args, log):
    """Starts one server, times readiness, loads it, samples memory, stops it."""
    base = f"http://127.0.0.1:{port}"
    sampler = MemorySampler()
    proc = None
    try:
        proc, ready_s = start_server(name, cmd, env, base + health, log, on_start=sampler.follow)
        sampler.end_startup()
        idle_kb = sampler.current_kb()
        result = {"command": " ".join(cmd), "ready_s": ready_s, "idle_rss_mb": idle_kb / 1024, "runs": []}
        for route, (path, wenv, ctype, body) in routes.items():
            status, reply = post(base + path, body, ctype)
            ok = status == 200 and (len(reply.get("faces", [])) == 1 if route == "faces" else len(reply.get("data", [])) >= 1)
            if not ok:
                raise RuntimeError(f"{name} {route}: unexpected answer {status} {str(reply)[:300]}")
            wrk(base + path, 4, args.warmup, wenv)
            for c in args.connections:
                r = wrk(base + path, c, args.duration, wenv)
                r.update(route=route, connections=c)
                result["runs"].append(r)
                print(f"  {name:5} {route:10} c={c:<3} {r['rps']:8.1f} req/s  p50 {r['p50_us'] / 1000:7.1f} ms  "
                      f"p99 {r['p99_us'] / 1000:7.1f} ms  errors {r['errors']}", flush=True)
        result["peak_rss_mb"] = sampler.peak_kb / 1024
        result["startup_peak_rss_mb"] = (sampler.startup_peak_kb or 0) / 1024
        result["vmhwm_mb"] = sampler.hwm_kb / 1024
        # Anonymous (heap, arenas, copied weights) and file-backed (binary, libraries, mapped
        # weights: clean pages the kernel may reclaim) parts of the resident set after the load.
        pids = tree_pids(proc.pid)
        result["rss_anon_mb_after_load"] = sum(status_kb(p, "RssAnon") for p in pids) / 1024
        result["rss_file_mb_after_load"] = sum(status_kb(p, "RssFile") for p in pids) / 1024
        return result
    finally:
        sampler.stop.set()
        if proc is not None:
            stop_server(proc)


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    mem_kb = 0
    try:
        with open("/proc/meminfo") as f:
            mem_kb = int(f.readline().split()[1])
    except OSError:
        pass
    return {"cpu": model, "cpus": os.cpu_count(), "memory_gb": round(mem_kb / 2**20, 1),
            "kernel": platform.release(), "python": platform.python_version()}


def print_table(summary):
    servers = summary["servers"]
    print("\n| route | connections | server | req/s | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|")
    keys = [(r["route"], r["connections"]) for r in next(iter(servers.values()))["runs"]]
    for route, c in keys:
        for name, s in servers.items():
            r = next(x for x in s["runs"] if x["route"] == route and x["connections"] == c)
            print(f"| {route} | {c} | {name} | {r['rps']:.1f} | {r['p50_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} | {r['errors']} |")
    print("\n| server | ready s | idle RSS MB | peak RSS MB under load | peak RSS MB starting | VmHWM MB | anon / file MB after load |")
    print("|---|---|---|---|---|---|---|")
    for name, s in servers.items():
        print(f"| {name} | {s['ready_s']:.3f} | {s['idle_rss_mb']:.0f} | {s['peak_rss_mb']:.0f} | "
              f"{s['startup_peak_rss_mb']:.0f} | {s['vmhwm_mb']:.0f} | "
              f"{s.get('rss_anon_mb_after_load', 0):.0f} / {s.get('rss_file_mb_after_load', 0):.0f} |")
    for name, s in servers.items():
        if "first_start" in s:
            f = s["first_start"]
            print(f"\n{name} first start (builds the serving cache): ready {f['ready_s']:.3f} s, VmHWM {f['vmhwm_mb']:.0f} MB; "
                  f"the table's start maps it")
    if "ratios" in summary:
        print("\narca / peer:")
        for k, v in summary["ratios"].items():
            print(f"  {k}: {v:.2f}")


def ratios(arca, peer):
    out = {}
    for r in arca["runs"]:
        p = next(x for x in peer["runs"] if x["route"] == r["route"] and x["connections"] == r["connections"])
        key = f"{r['route']} c={r['connections']}"
        out[f"throughput {key}"] = r["rps"] / p["rps"]
        out[f"p99 {key}"] = r["p99_us"] / p["p99_us"]
    out["ready time"] = arca["ready_s"] / peer["ready_s"]
    if "first_start" in arca:
        out["ready time, first start"] = arca["first_start"]["ready_s"] / peer["ready_s"]
    out["peak RSS under load"] = arca["peak_rss_mb"] / peer["peak_rss_mb"]
    out["idle RSS"] = arca["idle_rss_mb"] / peer["idle_rss_mb"]
    out["VmHWM"] = arca["vmhwm_mb"] / peer["vmhwm_mb"]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    ap.add_argument("--warmup", type=int, default=3, help="seconds of unrecorded load per route")
    ap.add_argument("--connections", type=int, nargs="+", default=[4, 32])
    ap.add_argument("--only", choices=["arca", "peer"])
    ap.add_argument("--arca", default=os.environ.get("ARCA_BIN", os.path.join(ROOT, ".build/release/arca")))
    ap.add_argument("--store", help="an existing store (default: a temporary one filled by `arca zoo install`)")
    ap.add_argument("--json", default=os.path.join(ROOT, ".build/loadtest.json"), help="where to write the summary")
    ap.add_argument("--port", type=int, default=18400)
    ap.add_argument("--routes", nargs="+", choices=["embeddings", "faces"], default=["embeddings", "faces"])
    ap.add_argument("--serve-args", default="", help="extra `arca serve` flags, e.g. '--max-batch 32'")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("loadtest: wrk not found (apt-get install -y wrk)")

    work = tempfile.mkdtemp(prefix="arca-loadtest-")
    bodies = os.path.join(work, "bodies.jsonl")
    with open(bodies, "w") as f:
        f.write("\n".join(sentences_bodies()) + "\n")
    first_body = sentences_bodies(1)[0].encode()
    photo = open(PHOTO, "rb").read()
    text_env = {"LOADTEST_BODIES": bodies, "LOADTEST_TYPE": "application/json"}
    face_env = {"LOADTEST_BODY": PHOTO, "LOADTEST_TYPE": "image/jpeg"}
    summary = {"machine": machine(), "duration_s": args.duration, "connections": args.connections,
               "wrk": "2 threads, --latency, Tools/loadtest.lua", "servers": {}}
    print(f"loadtest: {summary['machine']['cpus']} CPUs ({summary['machine']['cpu']}); servers run one at a time, "
          f"each with 2 compute threads; wrk -t2, {args.duration} s per run", flush=True)

    if args.only in (None, "arca"):
        store = args.store or os.path.join(work, "arca-home")
        if not args.store:
            subprocess.run([args.arca, "zoo", "install", "--store", store], check=True, stdout=subprocess.DEVNULL)
        routes = {"embeddings": ("/v1/embeddings", text_env, "application/json", first_body),
                  "faces": ("/v1/faces?variant=full-range", face_env, "image/jpeg", photo)}
        routes = {k: v for k, v in routes.items() if k in args.routes}
        cmd = [args.arca, "serve", "--port", str(args.port), "--threads", "2", "--store", store, *args.serve_args.split()]
        with open(os.path.join(work, "arca.log"), "w") as log:
            # The first start of a build packs MiniLM and writes the store's serving cache;
            # later starts map it. Both are timed: the cache is emptied for the first.
            shutil.rmtree(os.path.join(store, "cache", "serving"), ignore_errors=True)
            first = first_start("arca", cmd, {}, args.port, "/v2/health/ready", log)
            print(f"  arca  first start (builds the serving cache): ready {first['ready_s']:.3f} s, "
                  f"VmHWM {first['vmhwm_mb']:.0f} MB", flush=True)
            summary["servers"]["arca"] = measure("arca", cmd, {}, args.port, "/v2/health/ready", routes, args, log)
            summary["servers"]["arca"]["first_start"] = first

    if args.only in (None, "peer"):
        from compare_text import export_onnx
        models = os.environ.get("ARCA_MODELS", os.path.join(ROOT, ".models"))
        cache = os.environ.get("ARCA_CACHE", os.path.expanduser("~/.cache/arca"))
        onnx_path, _ = export_onnx(os.path.join(models, "all-MiniLM-L6-v2"), os.path.join(cache, "onnx/minilm.onnx"),
                                   log=lambda m: print(m, file=sys.stderr))
        routes = {"embeddings": ("/v1/embeddings", text_env, "application/json", first_body),
                  "faces": ("/v1/faces", face_env, "image/jpeg", photo)}
        routes = {k: v for k, v in routes.items() if k in args.routes}
        cmd = [sys.executable, os.path.join(ROOT, "Tools/loadtest_peer.py"), "--port", str(args.port + 1),
               "--onnx", onnx_path, "--tokenizer", os.path.join(models, "all-MiniLM-L6-v2/tokenizer.json"), "--threads", "2"]
        with open(os.path.join(work, "peer.log"), "w") as log:
            summary["servers"]["peer"] = measure("peer", cmd, {"OMP_NUM_THREADS": "2"}, args.port + 1, "/health", routes, args, log)

    if len(summary["servers"]) == 2:
        summary["ratios"] = ratios(summary["servers"]["arca"], summary["servers"]["peer"])
    print_table(summary)
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(summary, f, indent=2)
    print(f"\nloadtest: summary in {args.json}; logs in {work}")


if __name__ == "__main__":
    main()
