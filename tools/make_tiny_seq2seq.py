"""Build a tiny random-weight BART or T5 checkpoint for tests and smoke runs (no download).

    python tools/make_tiny_seq2seq.py OUT_DIR --family bart|t5 [--window 256] [--seed 0]

The tokenizer is a byte-level BPE trained here on text this script writes, so any input
(accents, emoji, URLs) tokenises; the model has a few thousand random parameters and writes
gibberish. It exists to exercise loading, chunking, batching and the API shape, never quality.
Weights are saved as safetensors, as the summarizer requires.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Literal

Family = Literal["bart", "t5"]

_SUBJECTS = ["The council", "The company", "Officials", "Researchers", "The minister", "Analysts", "Residents"]
_VERBS = ["said", "approved", "warned", "announced", "reported", "rejected", "expected", "raised", "cut"]
_OBJECTS = [
    "a new budget for public transport",
    "the plan to build more housing",
    "higher fares on buses and trains",
    "a study of heart disease in older adults",
    "about 1,100 jobs at the plant",
    "the agreement with its neighbours",
    "prices that could rise next year",
]
_TAILS = ["on Tuesday.", "last week.", "in a statement.", "amid rising costs.", "because it matters.", "."]


def corpus(seed: int = 0, sentences: int = 2000) -> list[str]:
    """News-like sentences written from small word lists: enough for a few hundred BPE merges."""
    rng = random.Random(seed)
    lines = []
    for _ in range(sentences):
        subject, verb, obj, tail = (rng.choice(x) for x in (_SUBJECTS, _VERBS, _OBJECTS, _TAILS))
        lines.append(f"{subject} {verb} {obj} {tail} Summarize: why it matters, 2024-10-06, $2.50, 14 percent.")
    return lines


def _special_tokens(family: Family) -> dict[str, str]:
    if family == "bart":  # BART's ids: <s>=0, <pad>=1, </s>=2, <unk>=3
        return {"bos_token": "<s>", "pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>"}
    return {"pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>"}  # T5's: 0, 1, 2


def build_tokenizer(family: Family, window: int, seed: int = 0, vocab_size: int = 600):
    """A byte-level BPE tokenizer with the family's special tokens and post-processing."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    specials = _special_tokens(family)
    tokenizer = Tokenizer(models.BPE(unk_token=specials["unk_token"]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(specials.values()),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(corpus(seed), trainer=trainer)
    eos = specials["eos_token"]
    if family == "bart":
        bos = specials["bos_token"]
        template = processors.TemplateProcessing(
            single=f"{bos} $A {eos}",
            pair=f"{bos} $A {eos} {eos} $B {eos}",
            special_tokens=[(bos, tokenizer.token_to_id(bos)), (eos, tokenizer.token_to_id(eos))],
        )
    else:
        template = processors.TemplateProcessing(
            single=f"$A {eos}", pair=f"$A {eos} $B {eos}", special_tokens=[(eos, tokenizer.token_to_id(eos))]
        )
    tokenizer.post_processor = template
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, model_max_length=window, **specials)


def build_model(family: Family, tokenizer, window: int, seed: int = 0, d_model: int = 32, layers: int = 2):
    import torch
    from transformers import BartConfig, BartForConditionalGeneration, T5Config, T5ForConditionalGeneration
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Writing model shards" bars in test output

    torch.manual_seed(seed)
    ids = {name: tokenizer.convert_tokens_to_ids(tok) for name, tok in _special_tokens(family).items()}
    if family == "bart":
        config = BartConfig(
            vocab_size=len(tokenizer),
            d_model=d_model,
            encoder_layers=layers,
            decoder_layers=layers,
            encoder_attention_heads=2,
            decoder_attention_heads=2,
            encoder_ffn_dim=2 * d_model,
            decoder_ffn_dim=2 * d_model,
            max_position_embeddings=window,
            bos_token_id=ids["bos_token"],
            pad_token_id=ids["pad_token"],
            eos_token_id=ids["eos_token"],
            decoder_start_token_id=ids["eos_token"],  # as in facebook/bart-*
            forced_eos_token_id=ids["eos_token"],
        )
        return BartForConditionalGeneration(config).eval()
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=d_model,
        d_kv=d_model // 2,
        d_ff=2 * d_model,
        num_layers=layers,
        num_decoder_layers=layers,
        num_heads=2,
        pad_token_id=ids["pad_token"],
        eos_token_id=ids["eos_token"],
        decoder_start_token_id=ids["pad_token"],  # as in t5-*
    )
    return T5ForConditionalGeneration(config).eval()


def make_tiny_seq2seq(out_dir: str | Path, family: Family = "bart", *, window: int = 256, seed: int = 0) -> Path:
    """Write a tiny checkpoint (config, safetensors weights, tokenizer) to ``out_dir``; return it."""
    if family not in ("bart", "t5"):
        raise ValueError(f"family must be bart or t5, got {family!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(family, window, seed)
    model = build_model(family, tokenizer, window, seed)
    model.save_pretrained(out)  # safetensors is the only format transformers 5 writes
    tokenizer.save_pretrained(out)
    if not any(out.glob("*.safetensors")):  # older transformers: ask explicitly
        model.save_pretrained(out, safe_serialization=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--family", choices=("bart", "t5"), default="bart")
    parser.add_argument("--window", type=int, default=256, help="model input window in tokens (default: 256)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    out = make_tiny_seq2seq(args.out_dir, args.family, window=args.window, seed=args.seed)
    print(f"wrote a tiny {args.family} checkpoint to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
