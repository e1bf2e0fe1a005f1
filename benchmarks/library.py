"""Library speed: shared batches vs a per-article loop, where the time goes, and the matmul limit.

    python benchmarks/library.py [--data ../shared/eval/cnndm_dev.jsonl] [--articles 64] [--threads 2]

Prints four tables:
1. articles/s of ``summarize_many`` (one shared encoder pass per chunk) against a loop of
   ``summarize`` calls, on the same articles in the same run;
2. a profile of one typical (median-length) article: segmentation, tokenisation, encoder forward
   pass, ranking (milliseconds, median of repeats);
3. each encoder engine on that article, with its cosine to torch fp32;
4. the machine's dense matmul throughput in each precision (the limit), and the encoder's achieved
   FLOP/s on one article and on one summarize_many chunk, as a share of that limit (FLOPs counted
   from the model's dimensions and the real token counts, padding excluded).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer import Summarizer
from summarizer.models.device import native_cpu_bf16
from summarizer.models.encoder import TransformerEncoder, embedded_model_dir, load_transformers_model
from summarizer.models.grouped_bert import plan_groups, read_config
from summarizer.models.onnx_engine import GROUP_TOKENS
from summarizer.selection.ranking import select_bullets, select_summary
from summarizer.text import normalize_for_model, segment

DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "cnndm_dev.jsonl"


def timed(fn, repeats: int) -> float:
    """Median milliseconds of ``repeats`` calls."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def encoder_flops(config: dict, token_counts: list[int]) -> float:
    """Forward-pass FLOPs of a BERT-style encoder (its ``config.json``) for sequences of the given lengths."""
    h, layers, ff = config["hidden_size"], config["num_hidden_layers"], config["intermediate_size"]
    total = 0.0
    for n in token_counts:
        dense = 2 * n * (4 * h * h + 2 * h * ff)  # Q, K, V, output projections and the MLP
        attention = 2 * 2 * n * n * h  # scores and weighted sum
        total += layers * (dense + attention)
    return total


def tokenize_windows(encoder: TransformerEncoder, texts: list[str]) -> list[list[int]]:
    """The token windows the encoder runs for ``texts`` (long sentences become several)."""
    return encoder.tokenizer(
        texts, truncation=True, max_length=encoder.max_seq_length, stride=32, return_overflowing_tokens=True
    )["input_ids"]


def padding(lengths: list[int], groups: list[list[int]]) -> float:
    """Share of the computed tokens that is padding when each group is padded to its longest window."""
    padded = sum(len(g) * max(lengths[w] for w in g) for g in groups)
    return 1 - sum(lengths) / padded


def execution(encoder: TransformerEncoder, lengths: list[int]) -> str:
    """How the encoder lays out these windows: passes and the share of computed tokens that is padding."""
    runner = encoder.runner
    if runner is not None and runner.quantized:  # int8: one window per run, no padding (see OnnxRunner)
        return f"{len(lengths)} single-window runs on {runner.workers} threads, no padding"
    if runner is not None:  # fp32: padded length groups, single-threaded runs side by side
        groups = [g for c in plan_groups(lengths, chunk_tokens=GROUP_TOKENS) for g in c]
        return f"{len(groups)} group runs on {runner.workers} threads, padding {padding(lengths, groups):.0%}"
    if encoder.grouped is not None:
        chunks = plan_groups(lengths, chunk_tokens=encoder.grouped.chunk_tokens)
        groups = [g for c in chunks for g in c]
        return f"{len(chunks)} dense passes, {len(groups)} attention groups, padding {padding(lengths, groups):.0%}"
    batches = encoder._batches(lengths)
    return f"{len(batches)} forward passes, padding {padding(lengths, batches):.0%} of computed tokens"


def matmul_gflops(dtype: torch.dtype, size: int = 1024, repeats: int = 10) -> float:
    a, b = torch.randn(size, size, dtype=dtype), torch.randn(size, size, dtype=dtype)
    a @ b
    started = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * size**3 * repeats / (time.perf_counter() - started) / 1e9


def int8_matmul_gops(size: int = 1024, repeats: int = 10) -> float:
    """ONNX Runtime's MatMulInteger (uint8 x int8 -> int32), the kernel the int8 encoder's linear layers use."""
    import numpy as np
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    weights = numpy_helper.from_array(rng.integers(-127, 127, (size, size), dtype=np.int8), "B")
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["A", "B"], ["Y"])],
        "int8_matmul",
        [helper.make_tensor_value_info("A", TensorProto.UINT8, [size, size])],
        [helper.make_tensor_value_info("Y", TensorProto.INT32, [size, size])],
        initializer=[weights],
    )
    options = ort.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    feed = {"A": rng.integers(0, 255, (size, size), dtype=np.uint8)}
    session.run(None, feed)
    started = time.perf_counter()
    for _ in range(repeats):
        session.run(None, feed)
    return 2 * size**3 * repeats / (time.perf_counter() - started) / 1e9


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--articles", type=int, default=64)
    parser.add_argument("--chunk", type=int, default=16, help="articles per summarize_many call")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    with args.data.open(encoding="utf-8") as fh:
        texts = [json.loads(line)["article"] for line in fh][: args.articles]
    summarizer = Summarizer.load()
    encoder = summarizer.backend.models.encoder
    summarizer.summarize(texts[0])  # warm-up

    print(
        f"{len(texts)} articles, torch threads {torch.get_num_threads()}, "
        f"engine {encoder.engine}, precision {encoder.precision}"
    )
    print("| mode | articles/s | ratio |")
    print("|---|---|---|")
    started = time.perf_counter()
    for text in texts:
        summarizer.summarize(text)
    loop_rate = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    for lo in range(0, len(texts), args.chunk):
        summarizer.summarize_many(texts[lo : lo + args.chunk])
    many_rate = len(texts) / (time.perf_counter() - started)
    print(f"| summarize() per article (baseline) | {loop_rate:.2f} | 1.00 |")
    print(f"| summarize_many(), {args.chunk} per call | {many_rate:.2f} | {many_rate / loop_rate:.2f} |")

    typical = sorted(texts, key=len)[len(texts) // 2]
    sentences = segment(typical)
    cleaned = [normalize_for_model(s.text) for s in sentences]
    embeddings = encoder.encode([s.text for s in sentences])
    summary, _ = select_summary(sentences, embeddings, max_sentences=3, max_words=None)
    tokenize = lambda: encoder.tokenizer(cleaned, truncation=True, max_length=encoder.max_seq_length)  # noqa: E731
    rows = {
        "segmentation (pysbd + labels)": timed(lambda: segment(typical), 5),
        "tokenisation": timed(tokenize, 5),
        "encoder (tokenise + forward passes)": timed(lambda: encoder.encode(cleaned), 5),
        "ranking (summary + bullets)": timed(
            lambda: select_bullets(
                sentences,
                embeddings,
                summary,
                summarizer.backend.models.prototypes,
                count=2,
                head=summarizer.backend.models.bullet_head,
            ),
            5,
        )
        + timed(lambda: select_summary(sentences, embeddings, max_sentences=3, max_words=None), 5),
    }
    hf_ms = None
    if encoder.grouped is not None:  # the Hugging Face forward on the same weights, padded length-sorted batches
        dtype = getattr(torch, encoder.precision)
        padded = TransformerEncoder(
            load_transformers_model(embedded_model_dir(), dtype),
            encoder.tokenizer,
            name="transformers",
            device=torch.device("cpu"),
            max_seq_length=encoder.max_seq_length,
            batch_size=encoder.batch_size,
        )
        padded.grouped = None
        padded.encode(cleaned)  # warm-up
        hf_ms = timed(lambda: padded.encode(cleaned), 5)
    total = sum(rows.values())
    print(f"\nprofile of a median article: {len(typical)} characters, {len(sentences)} sentences")
    print("| stage | ms | share |")
    print("|---|---|---|")
    for name, ms in rows.items():
        print(f"| {name} | {ms:.1f} | {ms / total:.0%} |")
    if hf_ms is not None:
        print(
            f"| (for comparison) encoder, Hugging Face forward in padded batches of {encoder.batch_tokens} tokens "
            f"| {hf_ms:.1f} | - |"
        )

    print("\n| encoder engine (same median article) | ms | cosine to torch fp32 (min) |")
    print("|---|---|---|")
    reference = TransformerEncoder.load(device="cpu", engine="torch", precision="float32")
    reference_emb = reference.encode(cleaned)
    for label, options in {
        "torch fp32": {"engine": "torch", "precision": "float32"},
        "torch bf16": {"engine": "torch", "precision": "bfloat16"},
        "onnxruntime fp32": {"engine": "onnx", "precision": "float32"},
        "onnxruntime int8 (per-channel dynamic)": {"engine": "onnx", "precision": "int8"},
    }.items():
        if options["precision"] == "bfloat16" and not native_cpu_bf16():
            continue
        candidate = reference if label == "torch fp32" else TransformerEncoder.load(device="cpu", **options)
        cosine = float((candidate.encode(cleaned) * reference_emb).sum(axis=1).min())
        print(f"| {label} | {timed(lambda c=candidate: c.encode(cleaned), 5):.1f} | {cosine:.4f} |")

    print("\n| precision | dense matmul GFLOP/s (GOP/s for int8), 1024^3, best of 5 |")
    print("|---|---|")
    peaks = {
        str(d).removeprefix("torch."): max(matmul_gflops(d) for _ in range(5)) for d in (torch.float32, torch.bfloat16)
    }
    peaks["int8"] = max(int8_matmul_gops() for _ in range(5))
    for name, value in peaks.items():
        print(f"| {name}{' (onnxruntime MatMulInteger)' if name == 'int8' else ' (torch)'} | {value:.1f} |")
    limit = peaks.get(encoder.precision, float("nan"))

    # The encoder's rate on one median article, and on the sentences of one summarize_many chunk
    # (what a loaded service passes it), FLOPs counted on real tokens only.
    chunk_sentences = [normalize_for_model(s.text) for text in texts[: args.chunk] for s in segment(text)]
    print(
        "\n| encoder call | sentences | ms | GFLOP/s on real tokens "
        f"| share of the {encoder.precision} limit | execution |"
    )
    print("|---|---|---|---|---|---|")
    for label, batch, repeats in (
        ("one median article", cleaned, 5),
        (f"{args.chunk} articles (one summarize_many chunk)", chunk_sentences, 3),
    ):
        ms = timed(lambda b=batch: encoder.encode(b), repeats)
        lengths = [len(ids) for ids in tokenize_windows(encoder, batch)]
        useful = encoder_flops(read_config(embedded_model_dir()), lengths) / (ms / 1000) / 1e9
        print(
            f"| {label} | {len(batch)} | {ms:.1f} | {useful:.1f} | {useful / limit:.0%} "
            f"| {execution(encoder, lengths)} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
