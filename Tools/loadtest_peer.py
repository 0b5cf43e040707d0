"""The Python peer of Tools/loadtest: FastAPI + uvicorn serving the same models as `arca serve`.

    loadtest_peer.py --port P --onnx minilm.onnx --tokenizer tokenizer.json [--threads 2]

POST /v1/embeddings  OpenAI-style: {"input": str | [str], "model"?} -> {"data": [{"embedding", "index"}], "usage"}
                     all-MiniLM-L6-v2 exported to ONNX with mean pooling + L2 (Tools/compare_text.py),
                     onnxruntime CPU EP, intra_op_num_threads=--threads, inter_op 1; tokenizers
                     (the model's tokenizer.json), truncation at 256 tokens, padding to the longest.
POST /v1/faces       JPEG/PNG body -> {"width", "height", "faces": [{"score", "box": {x, y, width, height}, "keypoints"}]}
                     MediaPipe 0.10.14 FaceDetection solution, model_selection=1 (full range), min score 0.5.
GET  /health         200 once both models are loaded (they load before uvicorn binds the port).

One uvicorn worker; model calls run in FastAPI's thread pool, the face graph behind a lock
(MediaPipe solutions are not re-entrant).
"""
import argparse
import io
import threading

import numpy as np
import onnxruntime as ort
import uvicorn
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from PIL import Image
from tokenizers import Tokenizer

KEYPOINTS = ["right_eye", "left_eye", "nose_tip", "mouth_center", "right_ear_tragion", "left_ear_tragion"]


def build_app(onnx_path, tokenizer_path, threads):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(onnx_path, so, providers=["CPUExecutionProvider"])
    tok = Tokenizer.from_file(tokenizer_path)
    tok.enable_truncation(256)
    tok.enable_padding()

    import mediapipe as mp
    detector = mp.solutions.face_detection.FaceDetection(model_selection=1, min_detection_confidence=0.5)
    face_lock = threading.Lock()

    def embed(texts):
        enc = tok.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        out = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        return out, [int(m.sum()) for m in mask]

    def faces(image_bytes):
        try:
            img = np.asarray(Image.open(io.BytesIO(image_bytes)).convert("RGB"))
        except Exception as e:  # noqa: BLE001
            raise HTTPException(400, f"undecodable image: {e}")
        with face_lock:
            result = detector.process(img)
        found = []
        for d in result.detections or []:
            b = d.location_data.relative_bounding_box
            found.append({"score": float(d.score[0]), "box": {"x": b.xmin, "y": b.ymin, "width": b.width, "height": b.height},
                          "keypoints": [{"name": n, "x": k.x, "y": k.y} for n, k in zip(KEYPOINTS, d.location_data.relative_keypoints)]})
        return {"width": img.shape[1], "height": img.shape[0], "faces": found}

    # Warm-up, as arca serve does before it reports ready.
    embed(["warm up"])
    faces(_blank_jpeg())

    app = FastAPI()

    @app.get("/health")
    def health():
        return {"ready": True}

    @app.post("/v1/embeddings")
    def embeddings(body: dict):
        texts = body.get("input")
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            raise HTTPException(400, "input must be a string or a non-empty array of strings")
        vectors, tokens = embed(texts)
        return JSONResponse({"object": "list", "model": "all-MiniLM-L6-v2",
                             "data": [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)],
                             "usage": {"prompt_tokens": sum(tokens), "total_tokens": sum(tokens)}})

    @app.post("/v1/faces")
    async def faces_route(request: Request):
        body = await request.body()
        import anyio
        return JSONResponse(await anyio.to_thread.run_sync(faces, body))

    return app


def _blank_jpeg():
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (128, 128, 128)).save(buf, "JPEG")
    return buf.getvalue()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--onnx", required=True)
    p.add_argument("--tokenizer", required=True)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    app = build_app(a.onnx, a.tokenizer, a.threads)
    uvicorn.run(app, host="127.0.0.1", port=a.port, workers=1, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
