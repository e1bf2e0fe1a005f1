"""The naive baseline for benchmarks/throughput.py: what a user would write in an afternoon.

A minimal FastAPI endpoint that runs the same encoder (all-MiniLM-L6-v2, fp32 torch) once per
request, with no batching across requests, no length bucketing and no queue bound: pysbd
sentences, one padded forward pass, mean pooling, the three sentences closest to the centroid.

    python benchmarks/naive_baseline.py --port 8101
"""

from __future__ import annotations

import argparse

import pysbd
import torch
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel
from transformers import AutoModel, AutoTokenizer

from summarizer.models.encoder import embedded_model_dir


class Request(BaseModel):
    text: str


def build_app() -> FastAPI:
    directory = embedded_model_dir()
    tokenizer = AutoTokenizer.from_pretrained(directory)
    model = AutoModel.from_pretrained(directory, use_safetensors=True).eval()
    app = FastAPI()

    @app.get("/readyz")
    def ready() -> dict:
        return {"status": "ready"}

    @app.post("/v1/summarize")
    def summarize(request: Request) -> dict:  # sync: FastAPI runs it in its thread pool
        # A segmenter per request: one shared pysbd instance breaks under the thread pool's concurrency.
        segmenter = pysbd.Segmenter(language="en", clean=False)
        sentences = [s.strip() for s in segmenter.segment(request.text) if s.strip()]
        batch = tokenizer(sentences, padding=True, truncation=True, max_length=256, return_tensors="pt")
        with torch.inference_mode():
            hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        emb = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1)
        centrality = emb @ torch.nn.functional.normalize(emb.mean(0), dim=0)
        top = sorted(centrality.topk(min(3, len(sentences))).indices.tolist())
        return {"summary": " ".join(sentences[i] for i in top)}

    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(build_app(), host="127.0.0.1", port=args.port, log_level="warning")
