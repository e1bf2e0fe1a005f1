"""Sequence-to-sequence summarization models (BART, DistilBART, PEGASUS, T5, FLAN-T5).

``Seq2SeqModel.load`` takes a checkpoint directory (or a hub id where the network allows),
safetensors only and no remote code; ``generate`` runs batched beam search under
``torch.inference_mode()`` and reports any input that had to be cut (the chunker is built so
that none is). Generation settings come from the family's published recipe, then from what the
checkpoint itself publishes, then from the settings; request knobs scale them within bounds.
"""

from __future__ import annotations

import logging
import math
import re
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, get_args

import torch

from summarizer.errors import ModelLoadError
from summarizer.models.device import resolve_device
from summarizer.models.recipes import (
    FAMILIES,
    RECIPE_SENTENCES,
    Recipe,
    Task,
    frame,
    published_recipe,
    recipe_for,
)

if TYPE_CHECKING:
    from transformers import GenerationConfig, PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")
_TOKENS_PER_WORD = 1.4  # English subword tokens per word (BPE and SentencePiece alike), with some room
_BULLET_MAX_TOKENS, _BULLET_MIN_TOKENS = 60, 8
_MAX_WINDOW = 4096  # input tokens per chunk at most, even for long-context models (memory)
_DECODER_CAP = 1024
_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def locate_checkpoint(checkpoint: str) -> tuple[str, bool]:
    """``(where, is_local)``: an existing directory with safetensors weights, or a hub id."""
    path = Path(checkpoint).expanduser()
    if path.is_dir():
        if not any(path.glob("*.safetensors")):
            raise ModelLoadError(
                f"no .safetensors weights in {path}: only safetensors are loaded (pickled weights are refused)"
            )
        return str(path), True
    if path.exists():
        raise ModelLoadError(f"model path {path} is a file; SUMMARIZER_MODEL must name a checkpoint directory")
    if checkpoint.startswith((".", "~", "/")) or not _HUB_ID.match(checkpoint):
        raise ModelLoadError(f"model directory not found: {path}")
    return checkpoint, False


def resolve_precision(requested: str, device: torch.device, family: str) -> tuple[torch.dtype, bool]:
    """``(dtype, int8)``. auto: bf16 on CUDA (else fp16, but fp32 for T5, which overflows in fp16); fp32 elsewhere."""
    if requested == "int8":
        if device.type != "cpu":
            raise ModelLoadError("int8 dynamic quantization runs on the CPU only (SUMMARIZER_DEVICE=cpu)")
        return torch.float32, True
    if requested in _DTYPES:
        return _DTYPES[requested], False
    if requested != "auto":
        raise ModelLoadError(f"unknown precision {requested!r}: use auto, float32, bfloat16, float16 or int8")
    if device.type == "cuda":
        if torch.cuda.is_bf16_supported():
            return torch.bfloat16, False
        return (torch.float32 if family == "t5" else torch.float16), False
    return torch.float32, False


class Seq2SeqModel:
    """A loaded summarization checkpoint: tokenizer, model, recipe and input window."""

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        name: str,
        device: torch.device,
        recipe: Recipe,
        batch_size: int,
        window: int,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        self._device = device
        self.device = str(device)
        self.recipe = recipe
        self.batch_size = batch_size
        self.window = window  # input tokens the model sees at once, special tokens included
        positions = getattr(model.config, "max_position_embeddings", None) or _DECODER_CAP
        self.decoder_limit = min(int(positions) - 2, _DECODER_CAP)
        self.quantized = False
        self.load_seconds = 0.0

    @classmethod
    def load(
        cls,
        checkpoint: str,
        *,
        device: str = "auto",
        precision: str = "auto",
        prompt_style: str = "auto",
        batch_size: int | None = None,
        max_window: int | None = None,
    ) -> Seq2SeqModel:
        from huggingface_hub import is_offline_mode
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        started = time.perf_counter()
        where, local = locate_checkpoint(checkpoint)  # before anything slow: a wrong path fails at once
        offline = is_offline_mode()
        torch_device = resolve_device(device)
        options = {"local_files_only": local or offline, "trust_remote_code": False}
        try:
            tokenizer = AutoTokenizer.from_pretrained(where, **options)
            model = AutoModelForSeq2SeqLM.from_pretrained(where, use_safetensors=True, **options)
        except Exception as exc:  # from_pretrained raises OSError, ValueError, HTTP and safetensors errors alike
            if not local and offline:
                raise ModelLoadError(
                    f"model {checkpoint!r} is not a local directory and is not in the Hugging Face cache; "
                    "HF_HUB_OFFLINE=1 forbids downloading it (set SUMMARIZER_MODEL to a checkpoint directory)"
                ) from exc
            raise ModelLoadError(f"could not load a seq2seq summarization model from {where}: {exc}") from exc
        family = FAMILIES.get(model.config.model_type, model.config.model_type)
        dtype, int8 = resolve_precision(precision, torch_device, family)
        model.eval().to(device=torch_device, dtype=dtype)
        if int8:
            model = _quantize_dynamic(model)
        name = Path(where).name if local else checkpoint
        recipe = recipe_for(model.config.model_type, name, published_recipe(model), prompt_style)
        default_batch = 8 if torch_device.type == "cpu" else 32  # beams multiply it; CPUs saturate early
        loaded = cls(
            model,
            tokenizer,
            name=name,
            device=torch_device,
            recipe=recipe,
            batch_size=batch_size or default_batch,
            window=_input_window(model, tokenizer, max_window),
        )
        loaded.quantized = int8
        loaded.load_seconds = time.perf_counter() - started
        log.info(
            "loaded seq2seq model %s (%s) on %s, %s, window %d tokens, in %.2fs",
            name,
            model.config.model_type,
            torch_device,
            loaded.precision,
            loaded.window,
            loaded.load_seconds,
        )
        return loaded

    @property
    def precision(self) -> str:
        if self.quantized:
            return "int8"
        return str(next(self.model.parameters()).dtype).removeprefix("torch.")

    # -- inputs --------------------------------------------------------------------------------

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens per text, without special tokens (what the chunker adds up)."""
        if not texts:
            return []
        ids = self.tokenizer(list(texts), add_special_tokens=False, return_token_type_ids=False)["input_ids"]
        return [len(x) for x in ids]

    def frame(self, text: str, task: Task, sentences: int = RECIPE_SENTENCES) -> str:
        """The model input for ``text``: an instruction for instruction-tuned models, else the recipe's prefix."""
        return frame(self.recipe, text, task, sentences)

    def text_budget(self) -> int:
        """Tokens of article text that fit one input, after the framing and special tokens of any task."""
        tasks: tuple[Task, ...] = get_args(Task)
        overhead = max(len(self.tokenizer(self.frame("", task, 10))["input_ids"]) for task in tasks)
        return max(self.window - overhead - 1, 16)  # one token of slack for joins that tokenise differently

    # -- generation ----------------------------------------------------------------------------

    def generation_config(
        self,
        task: Task,
        *,
        sentences: int = RECIPE_SENTENCES,
        max_words: int | None = None,
        num_beams: int | None = None,
        max_new_tokens: int | None = None,
    ) -> GenerationConfig:
        """The recipe as a ``GenerationConfig``, its lengths scaled to the task and the request."""
        from transformers import GenerationConfig

        r = self.recipe
        if task == "summary":
            longest = max_new_tokens or round(r.max_new_tokens * sentences / RECIPE_SENTENCES)
            shortest = round(r.min_new_tokens * sentences / RECIPE_SENTENCES)
            if max_words is not None:
                longest = min(longest, math.ceil(max_words * _TOKENS_PER_WORD) + 8)
        elif task == "chunk":  # a quarter of the input at most, so each reduce round shrinks the text
            longest, shortest = min(r.max_new_tokens, self.text_budget() // 4), r.min_new_tokens
        else:
            longest, shortest = min(_BULLET_MAX_TOKENS, r.max_new_tokens), _BULLET_MIN_TOKENS
        longest = max(8, min(longest, self.decoder_limit))
        shortest = min(shortest, longest // 2)
        ids = {k: v for k, v in self.model.generation_config.to_dict().items() if k.endswith("_token_id")}
        beams = num_beams or r.num_beams
        search: dict[str, float | int | bool] = {"do_sample": False, "num_beams": beams}
        if beams > 1:
            search |= {"early_stopping": True, "length_penalty": r.length_penalty if task != "bullet" else 1.0}
        if r.no_repeat_ngram_size:
            search["no_repeat_ngram_size"] = r.no_repeat_ngram_size
        return GenerationConfig(**ids, **search, min_new_tokens=shortest, max_new_tokens=longest)

    def generate(self, texts: Sequence[str], config: GenerationConfig) -> tuple[list[str], list[bool]]:
        """Generate for every input in length-sorted batches; also say which inputs had to be cut to the window."""
        if not texts:
            return [], []
        lengths = [len(ids) for ids in self.tokenizer(list(texts), return_token_type_ids=False)["input_ids"]]
        cut = [n > self.window for n in lengths]
        if any(cut):
            log.warning("%d of %d model inputs exceed the %d-token window and are cut", sum(cut), len(cut), self.window)
        order = sorted(range(len(texts)), key=lengths.__getitem__, reverse=True)  # similar lengths, little padding
        outputs = [""] * len(texts)
        for first in range(0, len(order), self.batch_size):
            batch = order[first : first + self.batch_size]
            inputs = self.tokenizer(
                [texts[i] for i in batch],
                padding=True,
                truncation=True,
                max_length=self.window,
                return_tensors="pt",
                return_token_type_ids=False,
            ).to(self._device)
            with torch.inference_mode():
                generated = self.model.generate(**inputs, generation_config=config)  # type: ignore[operator]
            decoded = self.tokenizer.batch_decode(generated, skip_special_tokens=True)
            for i, text in zip(batch, decoded, strict=True):
                outputs[i] = text
        return outputs, cut


def _input_window(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, cap: int | None) -> int:
    """The smallest of the tokenizer's and the model's limits, and the configured cap."""
    limits = [cap or _MAX_WINDOW]
    if 0 < tokenizer.model_max_length < 1_000_000:  # "no limit" is a huge sentinel
        limits.append(int(tokenizer.model_max_length))
    positions = getattr(model.config, "max_position_embeddings", None) or getattr(model.config, "n_positions", None)
    if positions:
        limits.append(int(positions))
    elif len(limits) == 1:
        limits.append(512)  # relative positions (T5) and no tokenizer limit: what T5 was trained on
    return min(limits)


def _quantize_dynamic(model: torch.nn.Module) -> torch.nn.Module:
    """Dynamic int8 on the Linear layers: weights quantized once, activations per batch.

    torch.ao.quantization is deprecated in favour of torchao, but still ships and works; torchao
    would be one more dependency for an opt-in setting, so the deprecation notice is silenced here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*quantize_per_tensor.*")
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
