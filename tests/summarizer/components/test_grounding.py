"""The grounding guard: numbers, names and quotes absent from the article, weak similarity, drop and flag."""

from __future__ import annotations

import numpy as np
from fakes import HashingEncoder

from summarizer.components.grounding import ArticleFacts, apply_policy, check, missing_facts
from summarizer.text import segment

ARTICLE = (
    "The council approved a budget of 4,500 pounds on Tuesday. Mayor Alice Brown said the plan would "
    "“shorten commutes for everyone”. Critics in Springfield warned that taxes may rise by three percent."
)


def test_missing_facts_finds_invented_numbers_names_and_quotes() -> None:
    facts = ArticleFacts.of(ARTICLE)
    assert missing_facts("The council approved a budget of 4500 pounds.", facts) == []
    assert missing_facts("Taxes may rise by 3 percent, critics said.", facts) == []  # "three" in the article
    assert missing_facts("Mayor Alice Brown backed the plan.", facts) == []
    issues = missing_facts("The council spent 9,000 pounds with the United States.", facts)
    assert any("9,000" in i for i in issues) and any("United" in i and "States" in i for i in issues)
    assert any("quoted" in i for i in missing_facts('Brown said it would "end traffic forever".', facts))
    assert missing_facts('Brown said it would "shorten commutes for everyone".', facts) == []


def test_a_name_opening_a_sentence_is_checked_too() -> None:
    facts = ArticleFacts.of(ARTICLE)
    assert any("Obama" in i for i in missing_facts("Obama approved the budget on Tuesday.", facts))
    assert any("Berlin" in i for i in missing_facts("Berlin officials welcomed the plan.", facts))
    assert missing_facts("Brown approved the budget on Tuesday.", facts) == []  # named in the article
    # Words that open sentences for grammar are no names, in the article or not.
    assert missing_facts("Officials approved the budget on Tuesday.", facts) == []
    assert missing_facts("Meanwhile, critics warned that taxes may rise.", facts) == []


def test_names_inside_hyphenated_words_and_abbreviations_match() -> None:
    facts = ArticleFacts.of("The Moscow-based firm sold its stake to a U.S. investor on Monday.")
    assert missing_facts("The firm is based in Moscow.", facts) == []
    assert missing_facts("A US investor bought the stake.", facts) == []
    assert any("Berlin" in i for i in missing_facts("A Berlin investor bought the stake.", facts))


def test_spelled_out_numbers_are_checked() -> None:
    facts = ArticleFacts.of(ARTICLE)
    assert any("twelve" in i for i in missing_facts("The plan hurt twelve people.", facts))
    assert missing_facts("Taxes may rise by three percent.", facts) == []  # the word is in the article
    assert missing_facts("The budget is one of the largest.", facts) == []  # "one" is too common to check
    digits = ArticleFacts.of("The blast hurt 3 people on Tuesday.")
    assert missing_facts("The blast hurt three people on Tuesday.", digits) == []


def test_lowercased_article_still_supports_names() -> None:
    facts = ArticleFacts.of(ARTICLE.lower())
    assert missing_facts("Mayor Alice Brown backed the plan.", facts) == []


def test_check_and_policy_drop_or_flag() -> None:
    encoder = HashingEncoder()
    sentences = segment(ARTICLE)
    embeddings = encoder.encode([s.text for s in sentences])
    generated = [
        ("summary", "The council approved a budget of 4,500 pounds on Tuesday."),
        ("summary", "Penguins in Antarctica migrated north."),
        ("why_it_matters", "Critics in Springfield warned that taxes may rise."),
    ]
    vectors = encoder.encode([t for _, t in generated])
    checked = check(generated, vectors, sentences, embeddings, range(len(sentences)), ArticleFacts.of(ARTICLE), 0.4)
    assert [c.supported for c in checked] == [True, False, True]
    first = checked[0].span
    assert ARTICLE[first.start : first.end].startswith("The council approved")
    assert first.sources and first.sources[0].start == first.start

    summary, bullets, grounding = apply_policy(checked, "drop", 0.4)
    assert [s.text for s in summary] == [generated[0][1]] and len(bullets) == 1
    assert (grounding.checked, grounding.supported, grounding.dropped, grounding.flagged) == (3, 2, 1, 0)
    assert grounding.rejected[0].text.startswith("Penguins") and grounding.rejected[0].issues

    summary, _, grounding = apply_policy(checked, "flag", 0.4)
    assert [s.supported for s in summary] == [True, False] and summary[1].issues
    assert (grounding.dropped, grounding.flagged) == (0, 1)
    dumped = summary[0].model_dump()
    assert dumped["supported"] is True and "issues" not in dumped


def test_threshold_is_applied() -> None:
    encoder = HashingEncoder()
    sentences = segment(ARTICLE)
    embeddings = encoder.encode([s.text for s in sentences])
    generated = [("summary", "The council approved a budget.")]
    vectors = encoder.encode([generated[0][1]])
    facts = ArticleFacts.of(ARTICLE)
    assert check(generated, vectors, sentences, embeddings, [0, 1, 2], facts, 0.1)[0].supported
    strict = check(generated, vectors, sentences, embeddings, [0, 1, 2], facts, 0.99)[0]
    assert not strict.supported and "similarity" in strict.issues[-1]
    assert isinstance(vectors, np.ndarray)


def test_possessives_and_curly_apostrophes_match() -> None:
    facts = ArticleFacts.of("Kim Jong Un met officials of China’s foreign ministry.")
    assert missing_facts("Kim Jong Un's visit pleased China's ministry.", facts) == []
