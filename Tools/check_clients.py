"""Real clients against a running `arca serve` with the default zoo.

tritonclient[http] (OIP v2, JSON and binary tensors) and the openai package (/v1/embeddings)
must work unmodified, and their answers must equal the CLI's (`arca embed --json`,
`arca faces --json`) when an arca binary is given. Exits non-zero on any mismatch.
"""
import json
import os
import subprocess
import sys

import numpy as np
import openai
import tritonclient.http as http

port = os.environ.get("ARCA_PORT", "18090")
arca = os.environ.get("ARCA_BIN")
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
photo = os.path.join(root, "Tests/Fixtures/images/astronaut.jpg")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


c = http.InferenceServerClient("127.0.0.1:" + port)
check(c.is_server_live() and c.is_server_ready(), "server live and ready")
meta = c.get_model_metadata("text-embedding")
check(meta["name"] == "text-embedding" and meta["outputs"][0]["name"] == "embedding", "text-embedding metadata")
check(set(c.get_model_metadata("face-detection")["versions"]) == {"short-range", "full-range", "short-range-int8", "full-range-int8"}, "face-detection versions")
fd_meta = c.get_model_metadata("face-detection")
facts = fd_meta.get("parameters", {}).get("variants", {})
check(set(facts) == set(fd_meta["versions"]) and all(f["measured_latency_ms"] > 0 and f["dtype"] in ("float32", "int8") for f in facts.values()),
      "face-detection variant facts (config and measured latency) in the metadata")

texts = ["A man is eating food.", "Ein Hund läuft über die Wiese.", "北京是中国的首都"]
results = {}
for binary in (True, False):
    inp = http.InferInput("text", [len(texts)], "BYTES")
    inp.set_data_from_numpy(np.array([t.encode() for t in texts], dtype=np.object_), binary_data=binary)
    r = c.infer("text-embedding", [inp], outputs=[http.InferRequestedOutput("embedding", binary_data=binary)])
    results[binary] = r.as_numpy("embedding")
    check(results[binary].shape == (3, 384), f"triton embedding shape (binary={binary})")
check(np.array_equal(results[True], results[False]), "binary and JSON tensors give identical embeddings")
norms = np.linalg.norm(results[True], axis=1)
check(np.allclose(norms, 1, atol=1e-5), "embeddings are unit length")

o = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="unused")
e = o.embeddings.create(input=texts, model="text-embedding")
oa = np.array([d.embedding for d in sorted(e.data, key=lambda d: d.index)], dtype=np.float32)
check(np.allclose(oa, results[True], atol=1e-6), "openai (base64) equals tritonclient")
e2 = o.embeddings.create(input=texts[0], model="text-embedding", encoding_format="float")
check(np.allclose(np.array(e2.data[0].embedding, dtype=np.float32), results[True][0], atol=1e-6), "openai float equals tritonclient")
check(e.usage.prompt_tokens > 0, "openai usage counts tokens")

from PIL import Image  # noqa: E402  (only needed for the image tensor)
img = np.asarray(Image.open(photo).convert("RGB"), dtype=np.uint8)
inp = http.InferInput("image", list(img.shape), "UINT8")
inp.set_data_from_numpy(img, binary_data=True)
r = c.infer("face-detection", [inp], model_version="full-range")
boxes = r.as_numpy("boxes")
check(boxes.shape == (1, 4), f"one face on the astronaut photo (got {boxes.shape})")

if arca:
    cli = json.loads(subprocess.run([arca, "embed", "--json", *texts], check=True, capture_output=True, text=True).stdout)
    check(np.allclose(np.array(cli["embeddings"], dtype=np.float32), results[True], atol=1e-6), "tritonclient equals `arca embed --json`")
    faces = json.loads(subprocess.run([arca, "faces", photo, "--variant", "full-range", "--json"], check=True, capture_output=True, text=True).stdout)
    b = faces["faces"][0]["box"]
    check(np.allclose([b["x"], b["y"], b["width"], b["height"]], boxes[0], atol=1e-6), "tritonclient face box equals `arca faces --json`")

print(f"{len(failures)} failed" if failures else "all client checks passed")
sys.exit(1 if failures else 0)
