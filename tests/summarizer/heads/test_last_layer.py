"""The fine-tuning experiment's token layers (training/last_layer.py)."""

from __future__ import annotations

import torch
from fakes import tiny_bert

from training.last_layer import BertLastLayer, SmallLayer, TokenScorer, stack_tokens


def test_copied_last_layer_computes_what_the_model_computes() -> None:
    torch.set_num_threads(1)
    model = tiny_bert()
    ids = torch.tensor([[5, 17, 33, 2, 0, 0], [7, 8, 9, 10, 11, 12]])
    mask = ids != 0
    with torch.inference_mode():
        hidden = model(input_ids=ids, attention_mask=mask.long(), output_hidden_states=True).hidden_states
        layer = BertLastLayer(model.encoder.layer[-1], heads=4)
        out = layer(hidden[-2], mask)
    assert torch.allclose(out[mask], hidden[-1][mask], atol=1e-5)


def test_bucketed_pooling_matches_one_padded_batch() -> None:
    """Running sentences in length buckets must give each sentence the vector it gets alone."""
    torch.manual_seed(1)
    lengths = [3, 9, 1, 6, 9, 2]
    items = [(torch.randn(1, n, 16).half(), torch.ones(1, n, dtype=torch.bool)) for n in lengths]
    tokens, keep = stack_tokens(items)
    assert tokens.shape == (6, 9, 16) and keep.sum().item() == sum(lengths)
    scorer = TokenScorer(dim=4, token_layer=SmallLayer(width=8, source=16), token_dim=8).eval()
    with torch.no_grad():
        together = scorer.pooled(tokens, keep)
        alone = torch.cat([scorer.pooled(*stack_tokens([item])) for item in items])
    assert torch.allclose(together, alone, atol=1e-5)


def test_scorer_gives_two_logits_per_real_sentence() -> None:
    scorer = TokenScorer(dim=4, token_layer=SmallLayer(width=8, source=16), token_dim=8).eval()
    x = torch.randn(2, 3, 4)
    pad = torch.tensor([[False, False, True], [False, False, False]])
    tokens, keep = stack_tokens([(torch.randn(5, 4, 16), torch.ones(5, 4, dtype=torch.bool))])
    with torch.no_grad():
        logits = scorer(x, pad, tokens, keep)
    assert logits.shape == (2, 3, 2) and torch.isfinite(logits).all()
