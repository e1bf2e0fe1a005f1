"""Tried (issue 15): does fine-tuning the encoder's last layer make a better scorer? Cross-validated.

    python benchmarks/finetune_scorer.py --token-layer none|finetune|small [--epochs 4] [--layer-lr 3e-5]
                                         [--cache /tmp/finetune_scorer] [--fold-seed 0]

The context scorer of ``benchmarks/context_scorer.py`` (frozen encoder's embeddings and dense
features, one attention layer across an article's sentences, two logits), with or without a
trainable token layer (``training/last_layer.py``): ``finetune`` trains a copy of the encoder's last
BERT layer on the token states entering it; ``small`` a fresh narrow layer over the final token
states. Everything is trained end to end on summary-worthiness (the dev file's greedy oracle, the BBC
summary picks) and significance (all labelled sets: benchmarks/data/significance, dev_labels and
bbc_labels).

One 5-fold split covers both measures (the dev file's folds as benchmarks/quality.py makes them;
the 20 written articles dealt round-robin; BBC articles always train): a held-out fold's articles,
labels of either kind included, never reach training. Summaries: the scorer's top 3 (MMR 0.3) and
the default with one learned swap. Bullets: precision@2 on the held-out labelled CNN/written
articles with 2+ SIGNIFICANCE candidates (direct quotes never), and the share of cased dev articles
left without a bullet by threshold. The encoder runs once per article (fp32 torch), its outputs cached
under --cache; a fold takes about 2 minutes on 2 cores with ``finetune``, seconds with ``none``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from context_scorer import SUMMARY_REDUNDANCY, THRESHOLDS, bullet_precision, bullets_for, swapped, targets
from quality import FOLDS, folds_for, print_summary_table

from summarizer import Settings, Summarizer
from summarizer.models.encoder import _load_tokenizer, embedded_model_dir, load_transformers_model
from summarizer.selection.ranking import mmr_select, summary_candidates
from training.context_scorer import _batch, article_features, positive_weight, standardise_from, task_loss
from training.last_layer import BertLastLayer, SmallLayer, TokenScorer, stack_tokens, token_states
from training.scorer_data import DEV_LABELS, N, load_all


def fit(rows: list[tuple], args: argparse.Namespace, hf_model: nn.Module, seed: int = 0) -> TokenScorer:
    """rows: (inputs, summary targets, significance targets, tokens, keep) per article."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    stacked = np.vstack([r[0] for r in rows])
    if args.token_layer == "finetune":
        layer: nn.Module | None = BertLastLayer(hf_model.encoder.layer[-1], hf_model.config.num_attention_heads)
        width = hf_model.config.hidden_size
    else:
        layer, width = (SmallLayer(), 96) if args.token_layer == "small" else (None, 0)
    model = TokenScorer(stacked.shape[1], layer, width)
    standardise_from(model, stacked)
    pos_weight = positive_weight([r[2] for r in rows])
    head = [p for n, p in model.named_parameters() if not n.startswith("token_layer")]
    groups = [{"params": head, "lr": 2e-3, "weight_decay": 0.1}]
    if layer is not None:
        lr = args.layer_lr if args.token_layer == "finetune" else 1e-3
        groups.append({"params": list(layer.parameters()), "lr": lr, "weight_decay": 0.01})
    optimizer = torch.optim.AdamW(groups)
    model.train()
    for _ in range(args.epochs):
        order = rng.permutation(len(rows))
        for start in range(0, len(order), 16):
            idx = order[start : start + 16]
            x, pad = _batch([rows[i][0] for i in idx])
            ys, _ = _batch([rows[i][1][:, None] for i in idx])
            yg, _ = _batch([rows[i][2][:, None] for i in idx])
            tokens, keep = stack_tokens([(rows[i][3], rows[i][4]) for i in idx]) if layer else (None, None)
            logits = model(x, pad, tokens, keep)
            loss = task_loss(logits, 0, ys, pad) + task_loss(logits, 1, yg, pad, pos_weight)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    return model


@torch.no_grad()
def predict(model: TokenScorer, row: tuple) -> np.ndarray:
    """(sentences, 2) probabilities for one article."""
    x, pad = _batch([row[0]])
    tokens, keep = stack_tokens([(row[3], row[4])]) if model.token_layer is not None else (None, None)
    return torch.sigmoid(model(x, pad, tokens, keep))[0].numpy()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--token-layer", choices=("none", "finetune", "small"), default="finetune")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--layer-lr", type=float, default=3e-5, help="learning rate of the fine-tuned layer")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/finetune_scorer"))
    parser.add_argument("--fold-seed", type=int, default=0, help="0: quality.py's folds; others: a robustness check")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    summarizer = Summarizer.load(settings=Settings(device="cpu", precision="float32", engine="torch"))
    cnn, written, bbc = load_all(summarizer.backend.models.encoder, args.cache / "embeddings", DEV_LABELS)
    hf_model = load_transformers_model(embedded_model_dir(), torch.float32)
    tokenizer = _load_tokenizer(embedded_model_dir())
    (args.cache / "tokens").mkdir(parents=True, exist_ok=True)
    articles = cnn + written + bbc
    state = "h5" if args.token_layer == "finetune" else "h6"
    rows = {}
    for a in articles:
        tokens = token_states(hf_model, tokenizer, a.sentences, args.cache / "tokens" / f"{a.source}_{a.id}.npz")
        x = article_features(a.sentences, a.embeddings, a.default_summary, summarizer.backend.models.prototypes)
        rows[a.id] = (
            x,
            *targets(a, len(a.sentences)),
            torch.from_numpy(tokens[state]),
            torch.from_numpy(tokens["keep"]),
        )
    dev_folds = folds_for(len(cnn), args.fold_seed)
    fold = {a.id: int(f) for a, f in zip(cnn, dev_folds, strict=True)} | {
        a.id: k % FOLDS for k, a in enumerate(written)
    }

    started = time.perf_counter()
    probs: dict[str, np.ndarray] = {}
    for f in range(FOLDS):
        model = fit([rows[a.id] for a in articles if fold.get(a.id) != f], args, hf_model)
        for a in cnn + written:
            if fold[a.id] == f:
                probs[a.id] = predict(model, rows[a.id])
        print(f"fold {f} done ({time.perf_counter() - started:.0f}s)", flush=True)

    chosen = []
    for a in cnn:
        cands = summary_candidates(a.sentences, N)
        picked = mmr_select(probs[a.id][cands, 0], a.embeddings[cands], N, SUMMARY_REDUNDANCY)
        chosen.append(sorted(cands[i] for i in picked))
    systems = {
        f"Lead-{N}": [[s.text for s in a.sentences[:N]] for a in cnn],
        "default: unsupervised, whole sentences": [[a.sentences[i].text for i in a.default_summary] for a in cnn],
        f"scorer ({args.token_layer}), top 3 by MMR": [
            [a.sentences[i].text for i in c] for a, c in zip(cnn, chosen, strict=True)
        ],
        **{
            f"default + one learned swap (margin {m})": [
                [a.sentences[i].text for i in swapped(a, probs[a.id][:, 0], m)] for a in cnn
            ]
            for m in (0.1, 0.2, 0.3)
        },
    }
    print(f"\n{len(cnn)} dev articles, {len(written)} written, {len(bbc)} BBC; token layer: {args.token_layer}")
    print_summary_table(systems, [a.reference or "" for a in cnn], np.random.default_rng(0))
    bullet_precision(cnn + written, {i: p[:, 1] for i, p in probs.items()})
    cased = [a for a in cnn if a.cased]
    print("\n| threshold | cased dev articles with no bullet | with one |")
    print("|---|---|---|")
    for thr in THRESHOLDS:
        counts = [len(bullets_for(a, probs[a.id][:, 1], thr)) for a in cased]
        print(f"| {thr} | {np.mean([c == 0 for c in counts]):.0%} | {np.mean([c == 1 for c in counts]):.0%} |")
    print(f"\ntraining and scoring: {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
