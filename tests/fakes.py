"""Test doubles shared by the library and service tests: a fast deterministic encoder, and summarizers around it."""

from __future__ import annotations

import re
import zlib

import numpy as np

from summarizer import Settings, Summarizer
from summarizer.backends.abstractive import AbstractiveBackend
from summarizer.backends.extractive import ExtractiveBackend
from summarizer.components.shared import SharedModels
from summarizer.models.seq2seq import Seq2SeqModel


def tiny_bert(**overrides):
    """A random two-layer BERT (hidden 32, 4 heads), seeded: for checks against the Hugging Face forward pass."""
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=120,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=64,
        **overrides,
    )
    return BertModel(config, add_pooling_layer=False).eval()


# A short article for the heads' tests: the news, plain facts, one detail and two sentences of significance.
BUDGET_ARTICLE = (
    "The city council approved a new budget on Monday after a long debate. "
    "The budget raises spending on parks by ten percent. "
    "Council members voted eight to three in favour of the plan. "
    "However, the decision could force cuts to library hours, raising concerns among residents. "
    "The mayor wore a blue suit to the meeting. "
    "Critics warn the move comes at a time of rising costs for families across the region."
)


class HashingEncoder:
    """Bag-of-words embeddings via hashed, lower-cased tokens: similar wording -> similar vectors."""

    name = "fake-hashing-encoder"
    device = "cpu"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in re.findall(r"\w+", text.lower()):
                out[row, zlib.crc32(token.encode()) % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            if norm == 0:
                out[row, 0] = 1.0
            else:
                out[row] /= norm
        return out


def make_summarizer(encoder: object, settings: Settings | None = None) -> Summarizer:
    """An extractive summarizer around ``encoder`` (prototypes encoded, heads loaded as the settings say)."""
    settings = settings or Settings()
    return Summarizer(ExtractiveBackend(SharedModels.build(encoder, settings), settings))  # type: ignore[arg-type]


def make_abstractive(encoder: object, generator: Seq2SeqModel, settings: Settings | None = None) -> Summarizer:
    """An abstractive summarizer: ``generator`` writes, ``encoder`` selects bullets and attributes."""
    settings = settings or Settings()
    models = SharedModels.build(encoder, settings)  # type: ignore[arg-type]
    return Summarizer(AbstractiveBackend(models, generator, settings))


class ScriptedChatClient:
    """A fake chat model: answers from a list (the last one repeats), counts words as tokens, records prompts."""

    name = "scripted-llm"
    provider = "local"
    device = "cpu"
    engine = "fake"
    precision = "float32"

    def __init__(self, answers: list[str], *, context_tokens: int = 4096, max_concurrency: int = 1) -> None:
        self.answers = list(answers)
        self.context_tokens = context_tokens
        self.max_concurrency = max_concurrency
        self.prompts: list[list[dict[str, str]]] = []

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(t.split()) for t in texts]

    def complete(self, messages, *, max_new_tokens, json_schema=None, on_token=None):  # type: ignore[no-untyped-def]
        from summarizer.models.llm import Completion

        self.prompts.append(messages)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if on_token is not None:
            for piece in answer.split(" "):
                on_token(piece + " ")
        prompt = sum(self.count_tokens([m["content"] for m in messages]))
        return Completion(answer, prompt, len(answer.split()), 0.01)


def make_llm(encoder: object, client: object, settings: Settings | None = None) -> Summarizer:
    """An llm-backend summarizer: ``client`` writes, ``encoder`` checks and attributes."""
    from summarizer.backends.llm import LlmBackend

    settings = settings or Settings(backend="llm")
    models = SharedModels.build(encoder, settings)  # type: ignore[arg-type]
    return Summarizer(LlmBackend(models, client, settings))  # type: ignore[arg-type]
