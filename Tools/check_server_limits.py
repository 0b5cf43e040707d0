"""Limits and faults of a real `arca serve`, with the zoo's models (stdlib + numpy + pillow).

  check_server_limits.py malformed      # against the server on $ARCA_PORT
  check_server_limits.py backpressure   # starts its own `$ARCA_BIN serve --max-queue 4 --threads 1`

malformed: each bad request must get a 4xx with a JSON {"error": "..."} naming the problem, within
a timeout, and the server must still answer a valid request afterwards.
backpressure: 64 concurrent heavy requests on 64 connections get only 200s and 429/503s with
Retry-After (at least one of each) and no connection errors; then SIGTERM while requests are in
flight: they complete with 200 and the process exits 0 within 15 s.
Exits non-zero on any failure.
"""
import http.client
import io
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

from PIL import Image

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
photo = os.path.join(root, "Tests/Fixtures/images/astronaut.jpg")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def request(port, method, path, body=b"", headers=None, timeout=30):
    """(status, headers dict with lower-case names, body bytes); raises on connection errors."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.putrequest(method, path)
        h = {"Content-Length": str(len(body))}
        h.update(headers or {})
        for k, v in h.items():
            c.putheader(k, v)
        c.endheaders()
        try:
            if body:
                c.send(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer (413) and close before reading all of a huge body
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def large_jpeg(side):
    buf = io.BytesIO()
    Image.open(photo).convert("RGB").resize((side, side), Image.BILINEAR).save(buf, "JPEG", quality=92)
    return buf.getvalue()


def png_bomb(width, height):
    """A valid PNG signature and IHDR declaring width x height, with a tiny IDAT."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def jpeg_bomb(width, height):
    """The astronaut JPEG with its SOF header patched to declare width x height."""
    data = bytearray(open(photo, "rb").read())
    i = 2
    while i + 9 < len(data):
        assert data[i] == 0xFF, "unexpected JPEG layout"
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            data[i + 5:i + 9] = struct.pack(">HH", height, width)
            return bytes(data)
        i += 2 + length
    raise RuntimeError("no SOF marker in " + photo)


def oip_binary(header, payload):
    h = json.dumps(header).encode()
    return h + payload, {"Inference-Header-Content-Length": str(len(h)), "Content-Type": "application/octet-stream"}


def text_oip(datatype="BYTES", shape=(1,), data=("hello",)):
    return json.dumps({"inputs": [{"name": "text", "datatype": datatype, "shape": list(shape), "data": list(data)}]}).encode()


def malformed(port):
    bad_utf8 = b"\xff\xfe\xc3("
    bytes_elem = struct.pack("<I", len(bad_utf8)) + bad_utf8
    cases = [
        # (what, method, path, body, headers, allowed statuses, words the error must contain)
        ("bad JSON", "POST", "/v1/embeddings", b'{"input": ["a", ', {}, {400}, ["json"]),
        ("JSON of the wrong shape", "POST", "/v1/embeddings", b'{"inputs": 3}', {}, {400}, ["input"]),
        ("wrong dtype (FP32 text)", "POST", "/v2/models/text-embedding/infer", text_oip("FP32", (1,), (1.0,)), {}, {400}, ["datatype"]),
        ("unknown dtype", "POST", "/v2/models/text-embedding/infer", text_oip("FP17", (1,), (1.0,)), {}, {400}, ["datatype"]),
        ("data length does not match shape", "POST", "/v2/models/text-embedding/infer", text_oip("BYTES", (2,), ("a",)), {}, {400}, ["shape"]),
        ("wrong rank for image", "POST", "/v2/models/face-detection/infer",
         json.dumps({"inputs": [{"name": "image", "datatype": "UINT8", "shape": [4, 4], "data": [0] * 16}]}).encode(), {}, {400}, ["shape"]),
        ("negative dimension", "POST", "/v2/models/face-detection/infer",
         json.dumps({"inputs": [{"name": "image", "datatype": "UINT8", "shape": [-2, 2, 3], "data": [0] * 12}]}).encode(), {}, {400}, ["negative"]),
        ("missing input", "POST", "/v2/models/text-embedding/infer", b'{"inputs": []}', {}, {400}, ["missing input"]),
        ("binary_data_size beyond the body", "POST", "/v2/models/face-detection/infer", *oip_binary(
            {"inputs": [{"name": "image", "datatype": "UINT8", "shape": [2, 2, 3], "parameters": {"binary_data_size": 1200}}]}, bytes(12)),
         {400}, ["binary_data_size"]),
        ("binary_data_size smaller than the tensor", "POST", "/v2/models/face-detection/infer", *oip_binary(
            {"inputs": [{"name": "image", "datatype": "UINT8", "shape": [2, 2, 3], "parameters": {"binary_data_size": 6}}]}, bytes(12)),
         {400}, ["binary"]),
        ("Inference-Header-Content-Length beyond the body", "POST", "/v2/models/text-embedding/infer", text_oip(),
         {"Inference-Header-Content-Length": "100000"}, {400}, ["inference-header-content-length"]),
        ("invalid UTF-8 in a BYTES tensor", "POST", "/v2/models/text-embedding/infer", *oip_binary(
            {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1], "parameters": {"binary_data_size": len(bytes_elem)}}]}, bytes_elem),
         {400}, ["utf-8"]),
        ("invalid UTF-8 in a JSON body", "POST", "/v1/embeddings", b'{"input": ["' + bad_utf8 + b'"]}', {}, {400}, ["utf-8"]),
        ("huge body (over the 32 MiB limit)", "POST", "/v1/embeddings", b" " * (33 << 20), {}, {413}, ["limit"]),
        ("huge tensor shape", "POST", "/v2/models/face-detection/infer",
         json.dumps({"inputs": [{"name": "image", "datatype": "UINT8", "shape": [60000, 60000, 3], "data": [0]}]}).encode(), {}, {413}, ["limit"]),
        ("deeply nested JSON", "POST", "/v2/models/text-embedding/infer", b"[" * 200000 + b"]" * 200000, {}, {400}, ["deeper"]),
        ("deeply nested JSON in a field", "POST", "/v1/embeddings", b'{"input": ' + b"[" * 5000 + b"]" * 5000 + b"}", {}, {400}, ["deeper"]),
        ("PNG bomb (60000x60000 declared)", "POST", "/v1/faces", png_bomb(60000, 60000), {}, {400, 413}, ["60000"]),
        ("JPEG bomb (60000x60000 declared)", "POST", "/v1/segment", jpeg_bomb(60000, 60000), {}, {400, 413}, ["60000"]),
        ("truncated JPEG", "POST", "/v1/faces", open(photo, "rb").read()[:3000], {}, {400}, ["jpeg"]),
        ("garbage image bytes", "POST", "/v1/faces", os.urandom(4096), {}, {400}, ["format"]),
        ("empty image", "POST", "/v1/faces", b"", {}, {400}, ["empty"]),
        ("unknown model (OIP)", "POST", "/v2/models/nope/infer", text_oip(), {}, {404}, ["nope"]),
        ("unknown version (OIP)", "POST", "/v2/models/text-embedding/versions/v9/infer", text_oip(), {}, {404}, ["v9"]),
        ("unknown model metadata", "GET", "/v2/models/nope", b"", {}, {404}, ["nope"]),
        ("unknown variant (faces)", "POST", "/v1/faces?variant=huge-range", open(photo, "rb").read(), {}, {404}, ["huge-range"]),
        ("unknown model (openai)", "POST", "/v1/embeddings", b'{"input": "a", "model": "gpt-9"}', {}, {404}, ["gpt-9"]),
        ("unknown route", "GET", "/v3/everything", b"", {}, {404}, ["/v3/everything"]),
        ("empty input list", "POST", "/v1/embeddings", b'{"input": []}', {}, {400}, ["no input"]),
    ]
    for what, method, path, body, headers, allowed, words in cases:
        if method == "POST" and "Content-Type" not in headers:
            headers = {**headers, "Content-Type": "application/json" if path.startswith(("/v1/embeddings", "/v2")) else "image/jpeg"}
        try:
            status, h, data = request(port, method, path, body, headers, timeout=20)
        except Exception as e:  # noqa: BLE001  (any transport failure is a failed case)
            check(False, f"{what}: no answer ({type(e).__name__}: {e})")
            continue
        try:
            message = json.loads(data).get("error", "")
        except ValueError:
            message = None
        ok = status in allowed and isinstance(message, str) and message and all(w in message.lower() for w in words)
        check(ok, f"{what}: {status} {message!r}" if ok else f"{what}: got {status} {data[:200]!r}, want {sorted(allowed)} naming {words}")
        status, _, data = request(port, "POST", "/v1/embeddings", b'{"input": "still serving"}', {"Content-Type": "application/json"})
        if status != 200:
            check(False, f"server stopped serving after '{what}' ({status} {data[:200]!r})")
            return
    status, _, data = request(port, "POST", "/v1/faces?variant=full-range", open(photo, "rb").read())
    check(status == 200 and len(json.loads(data)["faces"]) == 1, "valid face request answered after the malformed ones")


def start_server(binary, port, *flags):
    log = tempfile.TemporaryFile()
    p = subprocess.Popen([binary, "serve", "--port", str(port), *flags], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        if p.poll() is not None:
            log.seek(0)
            raise RuntimeError("server exited: " + log.read().decode(errors="replace")[-2000:])
        try:
            if request(port, "GET", "/v2/health/ready", timeout=2)[0] == 200:
                return p
        except OSError:
            pass
        time.sleep(0.2)
    p.kill()
    raise RuntimeError("server not ready within 120 s")


def concurrent(port, n, path, body):
    """Sends n requests at once, each on its own connection; returns [(status, headers) | exception]."""
    results = [None] * n
    barrier = threading.Barrier(n)

    def worker(i):
        barrier.wait()
        try:
            s, h, _ = request(port, "POST", path, body, {"Content-Type": "image/jpeg"}, timeout=60)
            results[i] = (s, h)
        except Exception as e:  # noqa: BLE001
            results[i] = e

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def backpressure(binary, port):
    image = large_jpeg(2048)
    path = "/v1/faces?variant=full-range"
    p = start_server(binary, port, "--max-queue", "4", "--threads", "1")
    try:
        results = concurrent(port, 64, path, image)
        errors = [r for r in results if isinstance(r, Exception)]
        statuses = [r[0] for r in results if not isinstance(r, Exception)]
        refused = [r for r in results if not isinstance(r, Exception) and r[0] in (429, 503)]
        check(not errors, f"64 concurrent heavy requests: no connection errors ({len(errors)}: {errors[:2]})")
        check(all(s in (200, 429, 503) for s in statuses), f"only 200, 429 and 503 ({sorted(set(statuses))})")
        check(statuses.count(200) >= 1 and len(refused) >= 1,
              f"some served, some refused: {statuses.count(200)} x 200, {len(refused)} x 429/503")
        check(all("retry-after" in h for _, h in refused), "every 429/503 has Retry-After")

        # Three 2048x2048 segmentations take about a second on one worker thread: SIGTERM
        # arrives while they are running or queued.
        in_flight = []
        sent = threading.Semaphore(0)

        def one():
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                c.request("POST", "/v1/segment?variant=general", image, {"Content-Type": "image/jpeg"})
                sent.release()
                in_flight.append((c.getresponse().status, time.time()))
            except Exception as e:  # noqa: BLE001
                sent.release()
                in_flight.append((e, time.time()))
            finally:
                c.close()

        threads = [threading.Thread(target=one) for _ in range(3)]
        for t in threads:
            t.start()
        for _ in threads:
            sent.acquire()
        time.sleep(0.05)
        start = time.time()
        p.send_signal(signal.SIGTERM)
        try:
            code = p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            code = None
        for t in threads:
            t.join(timeout=15)
        check(code == 0, f"SIGTERM with requests in flight: exit status {code} after {time.time() - start:.2f} s")
        check([s for s, _ in in_flight] == [200, 200, 200], f"in-flight requests completed: {[s for s, _ in in_flight]}")
        late = sum(1 for _, t in in_flight if t > start)
        check(late >= 1, f"{late} of them finished after SIGTERM (so it did arrive mid-flight)")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            check(False, "port closed after exit")
        except OSError:
            check(True, "port closed after exit")
    finally:
        if p.poll() is None:
            p.kill()


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "malformed":
        malformed(int(os.environ.get("ARCA_PORT", "18090")))
    elif mode == "backpressure":
        backpressure(os.environ.get("ARCA_BIN", os.path.join(root, ".build/debug/arca")), int(os.environ.get("ARCA_PORT2", "18091")))
    else:
        sys.exit("usage: check_server_limits.py malformed|backpressure")
    print(f"{len(failures)} failed" if failures else f"all {mode} checks passed")
    sys.exit(1 if failures else 0)
