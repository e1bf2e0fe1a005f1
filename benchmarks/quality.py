"""Summary and bullet quality, each beside its baselines, measured in the same run.

    python benchmarks/quality.py [--data ../shared/eval/cnndm_dev.jsonl] [--limit N]
                                 [--labels LABELS.jsonl ...] [--train-extra LABELS.jsonl ...]

Summaries (CNN/DailyMail): rouge-score with the Porter stemmer, F1 x 100 of rouge1, rouge2 and
rougeLsum, prediction and reference as sentences joined by newlines; 3 sentences per summary.
Lead-3 is the first three sentences of the same segmentation. Every system is scored on the same
5 folds: the learned heads are trained on the other four and scored on the held-out one (the trim
head's L2 and threshold chosen by an inner cross-validation on those four; the selection head's
labels: greedy ROUGE-1+2 oracle against the reference). Intervals are 95% bootstrap intervals over
articles; P is the share of paired bootstrap resamples in which the system's mean R1 beats Lead-3.

Bullets (the labelled CNN/DailyMail sets: benchmarks/data/significance and benchmarks/data/dev_labels,
360 articles): 5-fold cross-validation by article; every training fold also gets the 400 labelled BBC
articles (``--train-extra``, never scored); the learned head's feature set, L2 and threshold are
chosen by an inner cross-validation on the training folds only.
precision@2 is the share of the two best-ranked candidates (sentences outside the summary)
labelled SIGNIFICANCE, on articles with at least two such candidates; the learned head and the
heuristic never rank there a direct quote, a sentence in the first person or one that points at a photo
(``ranking.hard_negatives``, as served).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from rouge_score import rouge_scorer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from article_decision import article_decision_table  # this script's folder is on sys.path
from plots import quality_chart  # benchmarks/plots.py

from summarizer import Settings, Summarizer
from summarizer.models.encoder import Encoder, TransformerEncoder
from summarizer.selection.compression import best_cuts, trim_features
from summarizer.selection.features import summary_features
from summarizer.selection.ranking import (
    INNER_SENTENCE_END,
    MAX_BULLET_CHARS,
    SUMMARY_PARAPHRASE_SIMILARITY,
    hard_negatives,
    mmr_select,
    select_bullets,
    select_summary,
    summary_candidates,
)
from summarizer.text import segment
from training.bullet_data import build_examples, load_labelled
from training.bullet_head import (
    BULLET_FEATURE_SETS,
    fit_bullet_head,
    fit_logistic,
    fold_ids,
    oracle_labels,
    top2_hits,
)
from training.trim_head import fit_trim_head, trim_example, trimmed_texts

DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "cnndm_dev.jsonl"
LABELS = ROOT / "benchmarks" / "data"
DEFAULT_LABELS = [LABELS / "significance" / "labels.jsonl", LABELS / "dev_labels" / "labels.jsonl"]
DEFAULT_TRAIN_EXTRA = [LABELS / "bbc_labels" / "labels.jsonl"]
BBC_ARTICLES = ROOT.parent / "shared" / "eval" / "bbc_news.jsonl"  # the BBC labels' article texts
DEFAULT_PLOT = ROOT / "docs" / "images" / "quality.png"
METRICS = ("rouge1", "rouge2", "rougeLsum")
BOOTSTRAP = 2000
FOLDS = 5
# The learned summary head's settings, fixed before scoring (dense features, strong L2, MMR 0.3).
SUMMARY_HEAD_L2, SUMMARY_HEAD_REDUNDANCY = 100.0, 0.3


def bootstrap_interval(values: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    means = values[rng.integers(0, len(values), size=(BOOTSTRAP, len(values)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def paired_win_probability(system: np.ndarray, baseline: np.ndarray, rng: np.random.Generator) -> float:
    idx = rng.integers(0, len(system), size=(BOOTSTRAP, len(system)))
    return float(((system[idx] - baseline[idx]).mean(axis=1) > 0).mean())


def folds_for(n: int, seed: int = 0) -> np.ndarray:
    """The 5 folds every benchmark here scores on (``seed`` 0); another seed draws another split."""
    return fold_ids(n, FOLDS, seed)


def summaries(
    records: list[dict], summarizer: Summarizer, n: int, reference: Encoder | None = None
) -> dict[str, list[list[str]]]:
    """Lead-n, the default (unsupervised) summarizer and the cross-validated learned head.

    With ``reference`` (the fp32 encoder, when the served precision is another), the default
    summarizer is also run on its embeddings, so the precision's effect on quality is visible.
    """
    articles = [segment(r["article"]) for r in records]
    embeddings = [summarizer.backend.models.encoder.encode([s.text for s in sents]) for sents in articles]
    out: dict[str, list[list[str]]] = {f"Lead-{n}": [[s.text for s in sents[:n]] for sents in articles]}
    default = [
        select_summary(sents, emb, max_sentences=n, max_words=None)[0]
        for sents, emb in zip(articles, embeddings, strict=True)
    ]
    served = f"{summarizer.backend.models.encoder.precision} {summarizer.backend.models.encoder.engine}"
    selections = {served: default}
    if reference is not None:  # the guard rail: the served precision against the fp32 encoder
        selections[f"{reference.precision} {reference.engine}"] = [
            select_summary(sents, reference.encode([s.text for s in sents]), max_sentences=n, max_words=None)[0]
            for sents in articles
        ]
    texts = [r["article"] for r in records]
    for name, chosen_ in selections.items():  # the default pipeline: whole sentences
        out[f"default: unsupervised, whole sentences ({name})"] = [
            [sents[i].text for i in idx] for sents, idx in zip(articles, chosen_, strict=True)
        ]
    # Opt-in (SUMMARIZER_SUMMARY_TRIMMING=learned): the unsupervised selection, then the trim head
    # (trained on the served precision's selections of the other folds, applied to each precision's).
    examples = [
        trim_example(t, sents, idx, r["reference"])
        for t, sents, idx, r in zip(texts, articles, default, records, strict=True)
    ]
    folds = folds_for(len(records))
    trimmed: dict[str, list[list[str]]] = {name: [[] for _ in records] for name in selections}
    for f in range(FOLDS):
        head = fit_trim_head([e for e, ff in zip(examples, folds, strict=True) if ff != f])
        for k in np.flatnonzero(folds == f):
            for name, chosen in selections.items():
                cuts, x = trim_features(texts[k], articles[k], chosen[k])
                ends = best_cuts(cuts, head.score(x), head.threshold) if cuts else {}
                trimmed[name][k] = trimmed_texts(texts[k], articles[k], chosen[k], ends)
    for name, summaries_ in trimmed.items():
        out[f"opt-in: unsupervised + learned trimming ({name})"] = summaries_

    rows = []
    for sents, emb, record in zip(articles, embeddings, records, strict=True):
        cands = summary_candidates(sents, n)
        x, names = summary_features(sents, emb, cands, None)
        cols = [i for i, name in enumerate(names) if not name.startswith("emb_")]
        target = np.zeros(len(cands))
        target[oracle_labels([sents[i].text for i in cands], record["reference"], k=n)] = 1
        rows.append((cands, x[:, cols], target))
    learned: list[list[str]] = [[] for _ in records]
    for f in range(FOLDS):
        train = [r for r, ff in zip(rows, folds, strict=True) if ff != f]
        head = fit_logistic(
            np.vstack([r[1] for r in train]),
            np.concatenate([r[2] for r in train]),
            [str(i) for i in range(train[0][1].shape[1])],
            kind="summary",
            l2=SUMMARY_HEAD_L2,
            positive_weight=1.0,
        )
        for k in np.flatnonzero(folds == f):
            cands, x, _ = rows[k]
            picked = mmr_select(head.probability(x), embeddings[k][cands], n, SUMMARY_HEAD_REDUNDANCY)
            learned[k] = [articles[k][cands[p]].text for p in sorted(picked)]
    out["learned selection head (logistic, oracle labels)"] = learned
    return out


def print_summary_table(
    systems: dict[str, list[list[str]]], references: list[str], rng: np.random.Generator
) -> dict[str, list[float]]:
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    scores = {
        name: np.array(
            [
                [scorer.score(ref, "\n".join(p))[m].fmeasure * 100 for m in METRICS]
                for p, ref in zip(preds, references, strict=True)
            ]
        )
        for name, preds in systems.items()
    }
    baseline = next(iter(scores.values()))
    print("| system | R1 | R2 | RLsum | R1 95% CI | R1 - Lead | P(R1 beats Lead) | words |")
    print("|---|---|---|---|---|---|---|---|")
    for name, s in scores.items():
        lo, hi = bootstrap_interval(s[:, 0], rng)
        words = np.mean([sum(len(x.split()) for x in p) for p in systems[name]])
        lead = s is baseline
        win = "-" if lead else f"{paired_win_probability(s[:, 0], baseline[:, 0], rng):.2f}"
        delta = "-" if lead else f"{(s[:, 0] - baseline[:, 0]).mean():+.2f}"
        r1, r2, rl = s.mean(axis=0)
        print(f"| {name} | {r1:.2f} | {r2:.2f} | {rl:.2f} | {lo:.2f}-{hi:.2f} | {delta} | {win} | {words:.0f} |")
    return {name: [float(v) for v in s.mean(axis=0)] for name, s in scores.items()}  # for --plot


def bullet_table(labels: list[Path], extra: list[Path], dev: Path, summarizer: Summarizer) -> dict[str, float]:
    """precision@2 of each selector on ``labels`` under CV; ``extra`` articles join every training fold."""
    models = summarizer.backend.models

    def examples_of(paths: list[Path]) -> list:
        articles = [a for path in paths for a in load_labelled(path, dev, BBC_ARTICLES)]
        return build_examples(articles, models.encoder, models.prototypes)

    examples, extra_examples = examples_of(labels), examples_of(extra)
    names = examples[0].names
    col = {n: i for i, n in enumerate(names)}
    rankers = {
        "random pair (expected)": None,
        "centrality": lambda e: e.features[:, col["centrality"]],
        "prototype similarity": lambda e: e.features[:, col["prototype_max"]],
        "hand-weighted heuristic": "heuristic",
        "learned head": BULLET_FEATURE_SETS,
        "learned head, no embedding features (other encoders)": ("dense",),
    }
    held_out: dict[str, tuple[dict[int, np.ndarray], dict[int, float]]] = {}  # probabilities, fold thresholds
    folds = folds_for(len(examples))
    for name, feature_sets in rankers.items():
        if not isinstance(feature_sets, tuple):
            continue
        held_out[name] = ({}, {})
        for f in range(FOLDS):
            train = [*(e for e, ff in zip(examples, folds, strict=True) if ff != f), *extra_examples]
            head = fit_bullet_head(train, feature_sets=feature_sets)
            held_out[name][1][f] = head.threshold
            for k in np.flatnonzero(folds == f):
                e = examples[k]
                probability = head.probability(e.features[:, head.columns(names)])
                # as served: a hard negative (quote, first person, photo reference) scores 0, whatever the head says
                held_out[name][0][k] = np.where(hard_negatives(e.article.sentences, e.candidates), 0.0, probability)
    rich = [k for k, e in enumerate(examples) if e.target.sum() >= 2]
    to_summary = np.concatenate([e.features[:, col["summary_similarity"]] for e in examples])
    significant = np.concatenate([e.features[e.target > 0, col["summary_similarity"]] for e in examples])
    p50, p90, p99 = np.percentile(significant, [50, 90, 99])
    print(
        f"\nmax cosine to a summary sentence: SIGNIFICANCE sentences p50 {p50:.2f}, p90 {p90:.2f}, p99 {p99:.2f}, "
        f"max {significant.max():.2f}; candidates at >= {SUMMARY_PARAPHRASE_SIMILARITY} (never bullets): "
        f"{(to_summary >= SUMMARY_PARAPHRASE_SIMILARITY).sum()} of {len(to_summary)}"
    )
    print(
        f"{len(examples)} labelled articles (+{len(extra_examples)} in every training fold), "
        f"{len(rich)} with 2+ significance sentences outside the summary"
    )
    print(
        "| selector | precision@2 | returned per article (2+ sig.) | precision of returned (2+ sig.) "
        "| abstained (any article) | no bullet (any article) |"
    )
    print("|---|---|---|---|---|---|")
    precision: dict[str, float] = {}  # for --plot
    for name, ranker in rankers.items():
        if ranker is None:
            p2 = np.mean([examples[k].target.mean() for k in rich])
            print(f"| {name} | {p2:.3f} | 2.00 | {p2:.3f} | 0% | 0% |")
            precision[name] = float(p2)
            continue
        hits = shown = 0
        returned, abstained, none = [], 0, 0
        thr_hits = thr_shown = 0
        for k, e in enumerate(examples):
            if name in held_out:
                prob, thr = held_out[name][0][k], held_out[name][1][folds[k]]
            elif ranker == "heuristic":
                picked, _ = select_bullets(
                    e.article.sentences, e.embeddings, e.summary, summarizer.backend.models.prototypes, count=2
                )
                prob, thr = np.array([1.0 if i in picked else 0.0 for i in e.candidates]), None
            else:
                prob, thr = ranker(e), None
            got, n = top2_hits(prob, e.target, thr)
            abstained += n < min(2, len(e.candidates))
            none += n == 0
            if k in rich:
                h, _ = top2_hits(prob, e.target)
                hits, shown = hits + h, shown + 2
                thr_hits, thr_shown = thr_hits + got, thr_shown + n
                returned.append(n)
        returned_precision = thr_hits / max(thr_shown, 1)
        print(
            f"| {name} | {hits / shown:.3f} | {np.mean(returned):.2f} | {returned_precision:.3f} "
            f"| {abstained / len(examples):.0%} | {none / len(examples):.0%} |"
        )
        precision[name] = hits / shown
    threshold_table(examples, held_out["learned head"][0])
    article_decision_table(examples, held_out["learned head"][0], folds)
    return precision


def threshold_table(examples: list, probability: dict[int, np.ndarray]) -> None:
    """The learned head's trade-off on held-out articles: fewer articles without a bullet, lower precision."""
    print("\nlearned head by threshold (held out; top two candidates above it, any article):")
    print("| threshold | no bullet | bullets returned | precision of returned |")
    print("|---|---|---|---|")
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        got = [top2_hits(probability[k], e.target, threshold) for k, e in enumerate(examples)]
        shown = sum(n for _, n in got)
        print(
            f"| {threshold} | {np.mean([n == 0 for _, n in got]):.0%} | {shown} "
            f"| {sum(h for h, _ in got) / max(shown, 1):.3f} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--labels", type=Path, nargs="+", default=DEFAULT_LABELS, help="scored under CV")
    parser.add_argument("--train-extra", type=Path, nargs="*", default=DEFAULT_TRAIN_EXTRA, help="training only")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N articles")
    parser.add_argument("--sentences", type=int, default=3)
    parser.add_argument("--skip-bullets", action="store_true")
    parser.add_argument("--plot", default=str(DEFAULT_PLOT), help="bar chart PNG ('' for none)")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    with args.data.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()][: args.limit]
    summarizer = Summarizer.load()  # the served configuration: precision and engine as auto picks them
    reference = None
    if summarizer.backend.models.encoder.precision != "float32":
        reference = TransformerEncoder.load(None, device="cpu", precision="float32", engine="torch")
    started = time.perf_counter()
    systems = summaries(records, summarizer, args.sentences, reference)
    print(
        f"{len(records)} articles from {args.data.name}, {args.sentences} sentences, {FOLDS}-fold CV "
        f"({time.perf_counter() - started:.0f}s)"
    )
    rouge = print_summary_table(systems, [r["reference"] for r in records], np.random.default_rng(0))
    precision = {} if args.skip_bullets else bullet_table(args.labels, args.train_extra, args.data, summarizer)
    if args.plot:  # Path('') would be '.', so the empty string stays a string
        labelled = "+".join(path.parent.name for path in args.labels)
        title = f"{len(records)} articles from {args.data.name}; bullets: {labelled}, 5-fold CV"
        print(f"chart: {quality_chart(rouge, precision, Path(args.plot), title, baseline=f'Lead-{args.sentences}')}")
    output_check(records, summarizer)
    return 0


def output_check(records: list[dict], summarizer: Summarizer) -> None:
    """What a reader meets in the served output: blocks shown, and articles left without a bullet."""
    results = summarizer.summarize_many([r["article"] for r in records])
    sentences = [s for r in results for s in r.sentences]
    bullets = [b for r in results for b in r.why_it_matters]

    def blocks(spans: list) -> int:  # over 350 characters, or three or more sentence ends inside
        return sum(len(s.text) > MAX_BULLET_CHARS or len(INNER_SENTENCE_END.findall(s.text)) >= 2 for s in spans)

    precision_guard(records, results, summarizer)
    cased = [r for record, r in zip(records, results, strict=True) if record.get("cased")]
    none = sum(not r.why_it_matters for r in cased) / max(len(cased), 1)
    one = sum(len(r.why_it_matters) == 1 for r in cased) / max(len(cased), 1)
    print(
        f"\nserved output on {len(records)} articles: blocks among {len(sentences)} summary sentences "
        f"{blocks(sentences)}, among {len(bullets)} bullets {blocks(bullets)}; "
        f"cased articles ({len(cased)}) with no bullet {none:.0%}, with one {one:.0%}"
    )


def precision_guard(records: list[dict], results: list, summarizer: Summarizer) -> None:
    """The served path against the fp32 torch encoder: the same bullets (and summary) on how many articles."""
    info = summarizer.describe()
    if (info.engine, info.precision) == ("torch", "float32"):  # ONNX Runtime fp32 computes differently: checked
        return
    fp32 = Summarizer.load(settings=Settings(device="cpu", precision="float32", engine="torch"))
    reference = fp32.summarize_many([r["article"] for r in records])

    def spans(items: list) -> list[tuple[int, int]]:
        return [(s.start, s.end) for s in items]

    pairs = list(zip(results, reference, strict=True))
    bullets = np.mean([spans(a.why_it_matters) == spans(b.why_it_matters) for a, b in pairs])
    sentences = np.mean([spans(a.sentences) == spans(b.sentences) for a, b in pairs])
    print(
        f"\nprecision guard, served {info.engine}/{info.precision} against torch/float32: the same bullets on "
        f"{bullets:.1%} of articles (guard: at least 97%), the same summary sentences on {sentences:.1%}"
    )


if __name__ == "__main__":
    sys.exit(main())
