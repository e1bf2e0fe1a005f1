"""Significance wording: cues, and direct quotes (never a "Why it matters" bullet)."""

from __future__ import annotations

import pytest

from summarizer.selection.significance import (
    cue_score,
    is_direct_quote,
    is_question,
    leans_on_previous,
    speaks_in_first_person,
)


@pytest.mark.parametrize(
    "text",
    [
        "'I don't think that there's enough threat to justify sending troops,' he said.",
        "“We will fight this decision in every court in the land,” the mayor said.",
        "‘It could have far-reaching consequences for the whole region.’",
        '"so this is a first for us, and after 55 years of it, it\'s a big deal."',
        "He added: 'The decision could have far-reaching consequences for millions of families across the country.'",
        'Professor Deenan Pillay said: "By measuring the strength of the immune system we learn a great deal."',
    ],
)
def test_direct_quotes_are_recognised(text: str) -> None:
    assert is_direct_quote(text)


@pytest.mark.parametrize(
    "text",
    [
        '"Furious 7" is expected to usher in a string of mega-openings at the box office this year.',
        "The minister said the move could cost billions and affect millions of people.",
        "Critics warn the 'historic' deal raises serious concerns about safety and accountability.",
        "He said: 'Yes.' The vote was then taken and the bill passed by a wide margin on Tuesday.",
        "It's the first time such a step has been taken, analysts said.",
    ],
)
def test_statements_reporting_speech_are_not_direct_quotes(text: str) -> None:
    assert not is_direct_quote(text)


@pytest.mark.parametrize(
    ("text", "first_person"),
    [
        ("If we can beat them at the Bernabeu (on 10 April), then it will be just three.", True),  # lost quote marks
        ("Well, I think we could be heading to the European Championships with medal prospects.", True),
        ("The dramatic event could explain why our planet has a hot core.", True),
        ("He said the delay had cost us dearly.", True),
        ("This is a big moment for us.", True),  # at the end of the sentence
        ("He told me.", True),
        ("On Monday I met the minister.", True),
        ("i think the plan will work.", True),  # a lower-cased page
        ("Phase I trials begin next month.", False),
        ("We’ve still got enough time to turn it around.", True),
        ("The US economy grew by 2% in the last quarter.", False),  # "US" is no "us"
        ("US-led air strikes have pushed the group back.", False),
        ("the storm hit the east coast of the us in october 2012.", False),  # a lower-cased page
        ("he said us's gun laws were to blame.", False),
        ("The First World War I memorial was unveiled on Sunday.", False),  # a numeral, not the pronoun
        ("Queen Elizabeth I founded the college in 1571.", False),
        ("Traffic on the I-95 was halted for hours.", False),
        ("The decision could affect millions of families.", False),
    ],
)
def test_sentences_in_the_first_person(text: str, first_person: bool) -> None:
    assert speaks_in_first_person(text) is first_person


def test_cue_score_is_bounded() -> None:
    assert cue_score("The city council met on Monday.") < cue_score("This comes amid fears the crisis could escalate.")
    assert 0.0 <= cue_score("could could could amid signals raising concerns consequences") <= 1.0


@pytest.mark.parametrize(
    ("text", "leans"),
    [
        ("This was mostly high-ranking members of the party.", True),
        ("He added that the talks would resume on Monday.", True),
        ("They're expected to vote next week.", True),
        ("'That is a disgrace,' the mayor said.", True),
        ("these measures could cost billions.", True),
        ("It remains to be seen whether the deal will hold.", False),  # expletive "it" points forward
        ("It is hoped the talks can resume.", False),
        ("It's not clear whether the plan will work.", False),
        ("It emerged that the minister had known.", False),
        ("It paved the way for more players to enter the market.", True),  # what did?
        ("It would be overtaken by the likes of China.", True),
        ("Its shares fell 5% on Monday.", True),
        ("But they said the plan would be delayed.", True),  # shown as "They said..." once "But" is cut
        ("However, he added that the talks would resume.", True),
        ("In fact, it paved the way for rivals.", True),
        ("But it remains to be seen whether the deal will hold.", False),
        ("But then they said the plan would be delayed.", True),  # two connectives
        ("But the council said the plan would be delayed.", False),
        ("Still, Theresa May said the vote would go ahead.", False),
        ("Italy won the match.", False),
        ("Theresa May said the vote would go ahead.", False),
        ("Thessaloniki is Greece's second city.", False),
        ("The decision could affect millions of families.", False),
    ],
)
def test_sentences_leaning_on_the_one_before(text: str, leans: bool) -> None:
    assert leans_on_previous(text) is leans


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("Despite all this, did the critics have any views on who would win?", True),
        ("'Why would anyone pay that much?'", True),
        ("Who pays? (The council, mostly?)", True),
        ("The question is whether voters will notice.", False),
        ("He asked: 'Why now?' and left the room.", False),
    ],
)
def test_questions(text: str, question: bool) -> None:
    assert is_question(text) is question
