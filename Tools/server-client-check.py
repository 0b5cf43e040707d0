# Checks the server against the real clients named in ARCHITECTURE.md (tritonclient[http], openai).
# Start the test-only demo backend first:
#   ARCA_SERVE_DEMO_PORT=18086 swift test --skip-build --filter DemoServerHold
# then: python Tools/server-client-check.py   (needs: pip install "tritonclient[http]" openai numpy)
import os
import numpy as np, tritonclient.http as http, openai
PORT = os.environ.get("ARCA_SERVE_DEMO_PORT", "18086")
c = http.InferenceServerClient("localhost:" + PORT)
print("live", c.is_server_live(), "ready", c.is_server_ready(), "model ready", c.is_model_ready("scale"))
print("server meta", c.get_server_metadata())
print("model meta", c.get_model_metadata("scale", model_version="v2"))
x = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5
for binary in (True, False):
    inp = http.InferInput("x", [2, 3], "FP32"); inp.set_data_from_numpy(x, binary_data=binary)
    outs = [http.InferRequestedOutput("y", binary_data=binary), http.InferRequestedOutput("rowsum", binary_data=not binary)]
    r = c.infer("scale", [inp], outputs=outs, model_version="v2")
    assert np.array_equal(r.as_numpy("y"), x * 3), r.as_numpy("y")
    print("binary", binary, "y ok", r.as_numpy("rowsum"), r.get_response()["model_version"])
s = np.array([b"hello", b"", "wörld".encode()], dtype=np.object_)
u = np.array([1, 2, 250], dtype=np.uint8)
i1 = http.InferInput("s", [3], "BYTES"); i1.set_data_from_numpy(s, binary_data=True)
i2 = http.InferInput("u", [3], "UINT8"); i2.set_data_from_numpy(u, binary_data=True)
r = c.infer("bytes", [i1, i2], outputs=[http.InferRequestedOutput(n, binary_data=True) for n in ("lengths", "reversed", "total")])
print("bytes", r.as_numpy("lengths"), r.as_numpy("reversed"), r.as_numpy("total"))
assert list(r.as_numpy("reversed")) == [b"olleh", b"", "wörld".encode()[::-1]]
print("repo", c.get_model_repository_index())
c.unload_model("scale"); assert not c.is_model_ready("scale")
c.load_model("scale"); assert c.is_model_ready("scale")
try:
    c.get_model_metadata("nope")
except Exception as e:
    print("404 ->", e)
o = openai.OpenAI(base_url="http://localhost:" + PORT + "/v1", api_key="none")
e = o.embeddings.create(input=["a cat", "a dog"], model="minilm:int8")
assert e.model == "minilm:int8" and len(e.data) == 2 and e.usage.total_tokens > 0
print("openai float", e.model, len(e.data), len(e.data[0].embedding), e.usage)
e2 = o.embeddings.create(input="a cat", model="minilm")  # the client asks for base64 by default
assert np.allclose(e2.data[0].embedding, e.data[0].embedding)
print("openai default", e2.model, len(e2.data[0].embedding), np.allclose(e2.data[0].embedding, e.data[0].embedding))
print("all client checks passed")
